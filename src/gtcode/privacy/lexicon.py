"""The word lists the detector reads: surnames, titles, place and organisation suffixes.

Plain data, no logic. The Chinese surnames are the 400 or so most common
(compound surnames apart); a person's name is a surname followed by one or two
given-name characters, which jieba's part-of-speech tags (``nr``) confirm.
"""

from __future__ import annotations

#: Common Chinese single-character surnames (about 400, most common first).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠"
    "惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉"
    "禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修"
    "邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴"
    "昝智幸奉植衡富尧闭由")

#: Compound surnames.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐",
    "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台"})

#: Titles and kin terms said after a surname (王书记, 李老师, 张叔).
TITLES = (
    "书记", "副书记", "支书", "主任", "副主任", "局长", "副局长", "县长", "副县长", "镇长",
    "副镇长", "乡长", "村长", "市长", "省长", "区长", "科长", "处长", "股长", "所长", "站长",
    "厂长", "校长", "院长", "部长", "主席", "队长", "组长", "经理", "总经理", "董事长", "老板",
    "会计", "出纳", "老师", "教授", "医生", "大夫", "护士", "律师", "师傅", "工", "总", "董",
    "先生", "女士", "小姐", "同志", "大爷", "大妈", "大娘", "大姐", "大哥", "阿姨", "叔叔",
    "叔", "婶", "伯", "姐", "哥", "嫂", "姨", "奶奶", "爷爷", "警官", "干事", "委员", "专员",
    "秘书", "司机", "主管", "老总", "局", "处")

#: 老/小 + surname pairs that are everyday words, not people (小时, 老师, 小于 ...).
OLD_YOUNG_WORDS = frozenset({
    "小时", "老师", "小麦", "小于", "小孔", "小路", "小区", "小米", "小牛", "小车", "老区",
    "小楼", "小国", "小农", "小包", "小费", "小门", "小曲", "老练", "小钱", "老母", "小房",
    "小商", "老农", "小项", "小许", "老路", "老花", "小盘", "小班", "小原", "小豆", "老汤",
    "小利", "小景", "小苗", "小熊", "小井", "小解", "老井", "小池", "小宫", "小乐", "小巴",
    "老许", "老房", "老豆", "小官", "小支", "小羊", "小富", "老成", "老公", "小花", "小海",
    "小石", "老边", "小边", "老官", "小康", "小平", "老于", "老和", "小和", "老是", "老万", "小万", "小说", "小组", "老百", "小姐", "老家", "小家"})

#: Characters that never start a given name (they would make 王说, 李的 a name).
NOT_GIVEN = frozenset("的了是在说和与就也都还又不没有着过把被给对从向这那我你他她它们个些")

#: Place suffixes: administrative levels and named places.
PLACE_SUFFIXES = ("自治区", "自治州", "自治县", "特别行政区", "街道", "社区", "开发区", "新区",
                  "省", "市", "县", "区", "镇", "乡", "村", "屯", "寨", "庄", "州", "旗", "盟",
                  "街", "路", "巷", "弄", "湾", "岭", "沟", "坪", "坝", "铺", "营")

#: Stems that make a place word generic (我们村, 贫困县, 新农村, 大城市 ...).
GENERIC_PLACE_STEMS = frozenset({
    "我们", "你们", "他们", "咱们", "我", "你", "他", "咱", "本", "全", "各", "每", "该", "此",
    "这", "那", "这个", "那个", "哪个", "哪", "外", "邻", "附近", "周边", "老", "新", "大", "小",
    "贫困", "新农", "城中", "自然", "行政", "大城", "小城", "中小城", "开发", "风景", "工业",
    "经济", "示范", "重点", "试点", "民族", "少数民族", "边远", "偏远", "特困", "深度贫困",
    "城", "农", "山", "市", "县", "乡", "镇", "村", "城乡", "乡村", "城镇", "一", "两", "几",
    "某", "某某", "其他", "别的", "隔壁", "外地", "当地", "本地", "老家", "一个", "整个", "马",
    "公", "道", "网", "思", "出", "套", "后", "前", "上", "下", "里", "中", "东", "西", "南",
    "北", "集", "高速", "铁", "水泥", "土", "山路", "小路", "马路", "道路", "公路", "门", "省",
    "超", "都", "城里", "乡下", "自治", "特区", "社", "景", "校", "园", "厂", "矿", "灾",
    "保护", "高新", "居民", "商业", "住宅", "生活", "教", "学", "病", "选", "辖", "分", "地",
    "军", "战", "警", "牧", "林", "片", "街", "外国", "外省", "外头"})

#: Generic place words jieba tags ``ns`` that name no one's home (中国, 全国 ...).
GENERIC_PLACES = frozenset({
    "中国", "中华", "全国", "国内", "国外", "海外", "境外", "境内", "内地", "大陆", "亚洲",
    "欧洲", "美洲", "非洲", "世界", "全球", "地方", "当地", "本地", "外地", "各地", "农村",
    "城市", "乡村", "城里", "乡下", "西方", "东方", "南方", "北方", "中央", "基层", "山区",
    "平原", "沿海", "内陆", "西部", "东部", "中部", "华北", "华南", "华东", "华中", "西南",
    "西北", "东北", "江湖", "天下", "人间", "中原", "江南", "美国", "日本", "英国", "法国",
    "德国", "俄罗斯", "韩国", "中华人民共和国", "新中国", "东西", "南北", "上下", "长城",
    "黄河", "长江", "太平洋", "大西洋", "外国", "外省", "外头"})

#: Organisation suffixes (…局, …办, …公司, …村委会).
ORG_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "公司", "集团", "村委会", "居委会",
                "委员会", "人民政府", "政府", "党委", "纪委", "局", "办", "办公室", "厂", "银行",
                "信用社", "医院", "卫生院", "诊所", "学校", "小学", "中学", "大学", "学院",
                "幼儿园", "合作社", "派出所", "法院", "检察院", "研究所", "研究院", "事务所",
                "中心", "协会", "商会", "酒店", "宾馆", "饭店", "超市", "工作站", "管理站",
                "服务站", "支行", "分行", "分理处", "营业部", "分公司", "分局", "站", "所", "社",
                "店", "场", "队", "委")

#: Organisation words that are generic on their own (县财政局 is any county's).
GENERIC_ORGS = frozenset({
    "人民政府", "政府", "中国共产党", "共产党", "国务院", "中央", "党中央", "人民法院",
    "人民检察院", "纪委", "县委", "市委", "省委", "镇政府", "乡政府", "县政府", "市政府",
    "省政府", "村委会", "居委会", "党支部", "人大", "政协", "公安局", "财政局", "民政局",
    "教育局", "税务局", "统计局", "派出所", "法院", "检察院", "银行", "医院", "卫生院",
    "学校", "小学", "中学", "大学", "幼儿园", "合作社", "公司", "集团", "工厂", "超市",
    "全国人大", "人大常委会", "常委会", "国家", "中共", "组织部", "宣传部", "统战部", "纪检委",
    "监委", "扶贫办", "信访办", "办公室", "政法委", "农业局", "林业局", "水利局", "交通局",
    "卫生局", "审计局", "国土局", "工商局", "商务局", "文化局", "体育局", "环保局", "住建局",
    "人社局", "发改委", "经信委", "乡镇府", "村支部", "党委", "支部", "居委", "村委"})

#: Common English given names (for "Sarah Chen", "Dr Smith" finds titles apart).
ENGLISH_GIVEN = frozenset("""
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew
Anthony Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Edward Ronald Timothy Jason
Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
Gregory Frank Alexander Raymond Patrick Jack Dennis Jerry Tyler Aaron Jose Adam Henry Nathan
Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold Keith Christian Roger Noah Gerald Carl
Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan Joe Jordan Billy Bruce Albert Willie Gabriel
Logan Alan Juan Wayne Roy Ralph Randy Eugene Vincent Russell Elijah Louis Bobby Philip Johnny
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah
Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela
Nicole Emma Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Ruth Maria Heather
Diane Virginia Julie Joyce Victoria Olivia Kelly Christina Lauren Joan Evelyn Judith Megan
Cheryl Andrea Hannah Martha Jacqueline Frances Gloria Ann Teresa Kathryn Sara Janice Jean Alice
Madison Doris Abigail Julia Judy Sophia Marie Denise Beverly Danielle Marilyn Amber Theresa
Diana Natalie Brittany Charlotte Rose Alexis Kayla Lucy Tom Tim Mike Dave Chris Dan Matt Tony
Steve Andy Ben Sam Nick Alex Jim Bob Bill Kate Katie Jenny Jane Susie Sue Liz Beth Meg Annie
Oliver Harry Charlie Freddie Alfie Leo Oscar Archie Isabella Mia Ella Grace Chloe Ava Lily Amelia
Sophie Ruby Freya Isla Poppy Daisy Zoe Claire Fiona Helena Irene Julian Martin Simon Ian Neil
Graham Colin Derek Nigel Trevor Gordon Stuart Malcolm Hugh Owen Rhys Gareth Ivan Igor Olga
Hans Klaus Pierre Jean-Pierre Marco Luca Giovanni Carlos Miguel Pedro Ahmed Mohammed Ali Fatima
Priya Raj Arjun Yuki Hiroshi Kenji Akira Minh Linh Anh Nguyen Kim Min-jun Ji-woo Mei Lin Ling
""".split())

#: Given names that are everyday English words: never a name on their own.
ENGLISH_AMBIGUOUS = frozenset({"May", "Will", "Mark", "Grace", "Rose", "Ruby", "Daisy", "Poppy",
                               "Amber", "Joy", "Hope", "Faith", "Jack", "Bill", "Sue", "Pat",
                               "Art", "Lily", "Jean", "Ann", "Sam", "Kim", "Lin", "Ling", "Mei",
                               "Ali", "Ian", "Ivan", "Dan", "Tom", "Tim", "Bob", "Jim", "Ben",
                               "Sophia", "Victoria", "Virginia", "Carol", "Joe", "Min-jun"})

#: Common Chinese surnames in pinyin (Wang Jianguo, Li Ming).
PINYIN_SURNAMES = frozenset("""
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang
Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su
Wei Lü Lyu Lu Ding Ren Shen Yao Cui Zhong Tan Wan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng
Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Long Tao Li He Gu Mao Hao Gong Shao Qian Kong Xiang Chang
Wen Kang Shi Niu Ge Xing An Qi Yi Qiao Pang Ni Zhuang Nie Zhang Yue Zhai Yin Zhan Shen Ou Geng
Guan Lan Jiao Zuo Liu Gan Zhu Bao Ning Shang Shu Ruan Ke Ji Mei Tong Ling Bi Shan Huo Tu Miao
Sheng Qu Weng Ran Luo Xin Jin Chai Meng Hua Ouyang Situ Shangguan Zhuge
""".split())

#: English honorifics before a name.
ENGLISH_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "Director",
                  "Secretary", "Chairman", "Mayor", "Officer", "Uncle", "Auntie", "Aunt",
                  "Grandpa", "Grandma", "Madam", "Sir", "Captain", "Inspector", "Sergeant",
                  "Constable", "Judge", "Councillor", "Reverend", "Rev", "Comrade",
                  "Commissioner", "Lao", "Xiao", "Chairwoman", "Chairperson")

#: Words that end an English place name, and organisation name.
ENGLISH_PLACE_WORDS = ("Province", "City", "County", "District", "Township", "Town",
                       "Village", "Prefecture", "Street", "Road", "Avenue", "Lane", "Borough",
                       "Ward", "Estate", "Valley", "Bridge", "Park", "Square", "Hill", "Heath",
                       "Green", "Close", "Drive", "Way", "Crescent", "Terrace", "Place")
ENGLISH_ORG_WORDS = ("Bureau", "Office", "Company", "Co.", "Ltd", "Ltd.", "Inc.", "Inc",
                     "Corporation", "Group", "Bank", "Hospital", "School", "University",
                     "College", "Committee", "Cooperative", "Co-op", "Factory", "Department",
                     "Foundation", "Association", "Council", "Clinic", "Institute", "Limited",
                     "LLP", "plc", "PLC", "Trust", "Agency", "Authority", "Commission",
                     "Ministry", "Service", "Services", "Partners", "Associates", "Holdings",
                     "Police", "Court", "Centre", "Center", "Academy", "Church", "Union",
                     "Society", "Club", "Fund", "Board", "Unit", "Office", "Partnership")

#: Well-known Chinese places in English (provinces and large cities).
ENGLISH_PLACES = frozenset("""
Beijing Shanghai Tianjin Chongqing Hebei Shanxi Liaoning Jilin Heilongjiang Jiangsu Zhejiang
Anhui Fujian Jiangxi Shandong Henan Hubei Hunan Guangdong Hainan Sichuan Guizhou Yunnan Shaanxi
Gansu Qinghai Taiwan Guangxi Ningxia Xinjiang Tibet Xizang Hong Macau Macao Guangzhou Shenzhen
Chengdu Wuhan Nanjing Hangzhou Xi'an Xian Suzhou Zhengzhou Changsha Shenyang Harbin Qingdao
Dalian Xiamen Kunming Jinan Hefei Fuzhou Nanning Guiyang Lanzhou Taiyuan Shijiazhuang Nanchang
Urumqi Hohhot Baoding Wenzhou Dongguan Foshan Ningbo Wuxi
""".split())

#: Words that introduce a date of birth nearby.
BIRTH_WORDS = ("出生于", "出生在", "出生", "生于", "生日", "出生日期", "出生年月", "年生人",
               "born on", "born in", "born", "date of birth", "birthday", "DOB", "D.O.B.")

#: Words before a full name that introduce it (科长高志明, 俺男人付大军, 老板黎光明).
ROLE_WORDS = frozenset({
    *TITLES, "局长", "科长", "镇长", "乡长", "村长", "书记", "老板", "主任", "经理", "会计",
    "男人", "女人", "老公", "老婆", "丈夫", "妻子", "媳妇", "爱人", "对象", "儿子", "女儿",
    "侄儿", "侄子", "外甥", "同学", "朋友", "表弟", "表哥", "表姐", "表妹", "堂弟", "堂哥",
    "弟弟", "哥哥", "姐姐", "妹妹", "父亲", "母亲", "老乡", "同事", "领导", "司机", "秘书",
    "姓名", "名字", "叫", "叫做", "名叫", "找", "跟", "和", "给", "问", "告诉", "还有"})

#: Suffixes of named places that are no administrative level (红旗水库, 渔港码头, 黄河滩).
LANDMARK_SUFFIXES = ("水库", "码头", "大桥", "广场", "公园", "景区", "山庄", "水电站", "电站",
                     "滩", "庙", "寺", "峡", "湖", "岛", "山")

#: Everyday words jieba's dictionary tags as places or names (长大, 河里, 明白, 玉米).
NOT_PLACE_WORDS = frozenset({
    "长大", "河里", "镇里", "村里", "县里", "乡里", "市里", "省里", "区里", "城里", "家里",
    "山里", "田里", "地里", "屋里", "湖里", "海里", "上面", "下面", "里面", "外面", "东边",
    "西边", "南边", "北边", "那边", "这边", "中间", "旁边", "对面", "门口", "路上", "街上",
    "礼拜", "外头", "外省", "外国"})

#: Surnames that are far more often everyday characters (那时候, 和大家, 全县): a name with
#: one of them needs a role word before it or a title after it.
WEAK_SURNAMES = frozenset("那和于时都但由来向成全平国相门信展干利公海区元云容敬位原初强明")

#: Words inside an organisation's name that jieba tags as verbs (…农业开发有限公司).
ORG_VERBS = frozenset({"开发", "建设", "发展", "投资", "管理", "服务", "经营", "销售", "制造",
                       "咨询", "运输", "养殖", "种植", "建筑", "装饰", "贸易", "物流", "加工"})

#: Ways that end with a place suffix but name no place (农村公路, 水泥路).
GENERIC_WAYS = ("公路", "马路", "道路", "小路", "大路", "山路", "土路", "水泥路", "柏油路",
                "铁路", "高速路", "街道")

#: Surname + title pairs that are everyday words (全局, 平局, 时局): no one.
TITLED_WORDS = frozenset({"全局", "平局", "和局", "时局", "成局", "危局", "和处", "相处", "何处",
                          "于总", "总总", "和总"})

#: Kin words said after a given name's last character (斌哥, 燕姐): a familiar form.
FAMILIAR_AFTER = ("哥", "姐", "弟", "妹", "嫂")

#: English organisation words followed by "of" and a proper name (University of Sheffield).
ENGLISH_ORG_OF = ("University", "College", "Institute", "Bank", "Ministry", "Department",
                  "Bureau", "Office", "School", "Academy", "Museum", "Hospital", "Council",
                  "Board", "Court", "Church", "Society", "Federation", "Chamber")

#: Familiar forms of English given names (Peter: Pete), said alone once the full name is found.
ENGLISH_NICKNAMES: dict[str, tuple[str, ...]] = {
    "Peter": ("Pete",), "Margaret": ("Maggie", "Meg", "Peggy", "Maggy"),
    "Robert": ("Rob", "Bob", "Bobby", "Robbie"), "William": ("Bill", "Will", "Billy", "Liam"),
    "Richard": ("Rich", "Rick", "Dick", "Richie"), "Elizabeth": ("Liz", "Lizzie", "Beth", "Betty"),
    "Katherine": ("Kate", "Katie", "Kathy"), "Catherine": ("Cathy", "Kate", "Katie"),
    "Michael": ("Mike", "Mick", "Mikey"), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"),
    "Thomas": ("Tom", "Tommy"), "Anthony": ("Tony",), "Stephen": ("Steve",), "Steven": ("Steve",),
    "Andrew": ("Andy", "Drew"), "Jonathan": ("Jon", "Jonny"), "Matthew": ("Matt",),
    "Nicholas": ("Nick", "Nicky"), "Alexander": ("Alex", "Sandy"), "Benjamin": ("Ben", "Benny"),
    "Samuel": ("Sam", "Sammy"), "Joseph": ("Joe", "Joey"), "James": ("Jim", "Jimmy", "Jamie"),
    "Edward": ("Ed", "Eddie", "Ted"), "Timothy": ("Tim",), "David": ("Dave", "Davey"),
    "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"), "Patricia": ("Pat", "Patty"),
    "Susan": ("Sue", "Susie"), "Deborah": ("Debbie", "Deb"), "Victoria": ("Vicky", "Tori"),
    "Alexandra": ("Alex", "Sandra"), "Jacqueline": ("Jackie",), "Christine": ("Chris",),
    "Samantha": ("Sam",), "Jessica": ("Jess", "Jessie"), "Barbara": ("Barb", "Babs"),
    "Dorothy": ("Dot", "Dottie"), "Frances": ("Fran",), "Francis": ("Frank",),
    "Charles": ("Charlie", "Chuck"), "Henry": ("Harry", "Hank"), "Lawrence": ("Larry",),
    "Gregory": ("Greg",), "Kenneth": ("Ken", "Kenny"), "Donald": ("Don", "Donnie"),
    "Raymond": ("Ray",), "Ronald": ("Ron", "Ronnie"), "Douglas": ("Doug",), "Gerald": ("Gerry",),
    "Philip": ("Phil",), "Nathan": ("Nate",), "Zachary": ("Zach",), "Abigail": ("Abby",),
    "Eleanor": ("Ellie", "Nell"), "Helen": ("Nell",), "Josephine": ("Jo", "Josie"),
    "Mohammed": ("Mo",), "Muhammad": ("Mo",)}

#: Trades in a company's name, said or left out (恒达路桥工程有限公司, 恒达路桥, 恒达).
TRADE_WORDS = ("房地产开发", "农业开发", "房地产", "工程", "建设", "建筑", "建材", "路桥", "开发",
               "实业", "发展", "科技", "贸易", "置业", "农业", "商贸", "物流", "投资", "环保",
               "水利", "电力", "食品", "茶业", "矿业", "机械", "劳务", "装饰", "园林", "运输",
               "文化", "传媒", "餐饮", "制造", "电子", "化工", "纺织", "服装", "家具", "汽车",
               "销售", "咨询", "管理", "服务", "养殖", "种植", "生态", "旅游", "酒业", "药业")
