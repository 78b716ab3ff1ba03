"""What in-vivo extraction knows of words: which break a phrase, which may not begin or
end one, which carry its meaning; English words as spoken (contractions kept whole).

A token is one of four kinds (:func:`zh_kind`, :func:`en_kind`):

- ``BREAK``: punctuation, numbers and time expressions, fillers (嗯, 就是说, um):
  no phrase runs across it.
- ``EDGE``: a function word (particles, prepositions, conjunctions, pronouns,
  auxiliaries, most adverbs) or a place/unit word (县里, 局里, 监区): it may stand
  inside a phrase, never at its start or end, and never alone.
- ``LEAD``: a negation (不, 没, never, don't): it may begin a phrase (不送不办) but not
  end one.
- ``CONTENT``: any other word.

Chinese kinds come from jieba's dictionary tags (``zh_word_tags``) and the
lists below; English kinds from the lists alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

BREAK, EDGE, LEAD, CONTENT = 0, 1, 2, 3

#: Fillers and discourse markers: they break phrases (and never appear in one).
ZH_FILLERS = frozenset("""
嗯 啊 呃 哦 噢 唉 哎 哎呀 哎哟 呀 吧 呢 嘛 啦 咯 哈 哈哈 呵呵 欸 诶 额 咳 嗯嗯 啊啊 那个 这个 就是 就是说
然后 反正 其实 那么 对 对对 对对对 是的 好的 好 行 嗯哼 怎么说 怎么讲 怎么说呢 你知道 你晓得 晓得吧
知道吧 是吧 对吧 对不对 是不是 吧啦 说实话 说实在的 实话实说 老实说 说真的 讲真 说白了 说到底 说句实话
说句老实话 不瞒你说 你想想 你看 你说 我跟你说 怎么讲呢 这么说吧 总之 总的来说 一句话 话说回来
从那以后 没过多久 一段时间 每天晚上 一年到头 前前后后 不久以后 那段时间 这段时间 一来二去
""".split())

EN_FILLERS = frozenset("""
um umm uh uhh er erm hmm mm mhm ah oh yeah yes yep nope okay ok well like right so anyway
actually basically really sure
""".split())

#: Courtesy formulas: a phrase holding one is no in-vivo code.
ZH_COURTESY = ("谢谢", "感谢", "您好", "你好", "不客气", "再见", "辛苦了", "辛苦你", "打扰", "麻烦你",
               "麻烦您", "对不起", "不好意思", "没关系")
EN_COURTESY = frozenset("thank thanks welcome goodbye bye hello hi sorry pardon please".split())

#: Two-word fillers of English ("you know", "I mean").
EN_FILLER_PAIRS = frozenset({("you", "know"), ("i", "mean"), ("kind", "of"), ("sort", "of"),
                             ("i", "guess"), ("you", "see"), ("i", "think")})

#: jieba tags of function words, numbers, times and places.
_ZH_EDGE_TAGS = frozenset("r rr rz rg p c u uj ul uv ud ug uz y e o d dg df f s ns nrfg".split())
_ZH_BREAK_TAGS = frozenset("m mq mg q t tg x w".split())

#: Function words jieba tags otherwise, or leaves out (a phrase may not start or end on one).
ZH_FUNCTION = frozenset("""
的 了 着 过 地 得 之 所 是 有 在 把 被 给 让 叫 跟 和 与 同 及 对 从 向 往 到 为 以 于 由 比 就 也 都 还 又
才 再 很 太 挺 更 最 真 蛮 老 可 会 要 能 想 去 来 说 讲 看 做 搞 弄 干 一 这 那 哪 啥 谁 我 你 他 她 它 您
咱 俺 人家 自己 大家 我们 你们 他们 她们 咱们 这样 那样 这么 那么 怎么 什么 为什么 怎样 这种 那种 这些
那些 每 各 某 些 个 点 下 上 里 中 内 外 前 后 时 时候 的话 来说 之类 什么的 一下 一点 一些 有点 有些
有的 有时候 已经 正在 一直 一般 比较 非常 特别 真的 确实 基本 基本上 当然 可能 应该 可以 还是 或者
如果 虽然 但是 可是 而且 所以 因为 只是 只有 只要 不过 于是 另外 觉得 认为 知道 感觉 好像 似乎
就算 即使 而 并 且 却 则 当时 现在 以后 以前 之后 之前 后来 刚才 那时 这时 那时候 这时候 一起
""".split())

#: Function words of Cantonese and of northern and south-western speech, spelled as
#: transcribers write them (佢, 嘅, 喺, 啥子, 晓得).
ZH_DIALECT_FUNCTION = frozenset("""
佢 佢哋 我哋 你哋 哋 嘅 喺 咗 啲 嘢 咁 噉 系 係 梗系 但系 即系 就系 都系 唔系 乜 乜嘢 点 点样 嗰 嗰个 嗰阵 呢个
咩 喎 啫 嘛 俾 畀 同埋 睇 返 嚟 话 讲话 啥 啥子 咋 咋个 咋样 晓得 不晓得 俺 俺们 咱 恁 那啥 整个
""".split())

#: Kin terms and forms of address (二舅, 我妈, 老汉儿): a person, not a concept; no edge.
ZH_KIN = re.compile(r"^(?:我|你|他|她|俺|佢)?(?:[大二三四小老]?(?:舅|姨|叔|伯|姑|婶|嫂|爷|奶|哥|姐|弟|妹)|"
                    r"爸|妈|爹|娘|老汉儿?|老婆|老公|媳妇儿?|爱人|丈夫|妻子|儿子|女儿|孩子|娃儿?|闺女|"
                    r"叔公|外甥|侄子|亲戚|老爷子|老太太)$")

#: A person's name or nickname as jieba cannot know it (阿炳, 炳哥, 冼生, 老周).
ZH_NAME = re.compile(r"^(?:[阿老小][\u4e00-\u9fff]|[\u4e00-\u9fff][哥姐叔婶嫂伯生仔])$")

#: Negations: a phrase may begin with one (不送不办, 没人管), never end on one.
ZH_LEAD = frozenset("不 没 没有 别 无 未 莫 非 不要 不能 不会 不敢 唔 冇 莫得 未曾".split())

#: Place and unit words on their own (县里, 镇上, 局里, 监区, 单位): not a phrase's edge.
ZH_PLACE = re.compile(r"^(?:[省市县区镇乡村组队局所站厅处科室院校厂矿场监狱家楼屋城]{1,2}"
                      r"(?:里|上|头|里头|里面|上面|下面|那边|这边|那儿|这儿|这里|那里)|"
                      r"监区|监狱|狱里|号子|单位|县城|乡镇|乡下|城里|镇上|村里|村头|老家|家里|屋里|这里|"
                      r"那里|这边|那边|上头|下头|里头|外头|上面|下面|底下)$")

#: Titles, offices and units on their own (副镇长, 交通局, 分管领导): not a phrase's edge.
ZH_OFFICE = re.compile(r"^(?:[局厅处科站院厂店]|(?![不没别未无非])..{0,4}(?:长|局|办|委|厅|处|科|所|站|院|厂|店|公司|主任|书记|领导|干部|部长|委员|秘书|会计|"
                       r"出纳|科员|主席|同志|师傅|老师|老板|老总))$")

#: "There was a", "this bit", "that time" (有个, 这点, 那回): not a phrase's edge.
ZH_DEICTIC = re.compile(r"^(?:[有这那哪每某][一几]?[个点些回次种样么边里儿阵天年口件位]|[这那哪].{1,2})$")

#: "Held a", "such a" (开了个, 这么个): a word ending on a measure word is not a phrase's edge.
ZH_MEASURE_END = re.compile(r"^.{1,2}个$")

#: Verbs with a directional complement (报上去, 查出来): not a phrase's edge.
ZH_DIRECTIONAL = re.compile(r"^.(?:上|下|进|出|回|过|起|开)(?:来|去)$")

#: Words jieba tags as numerals that are no numbers (一把手 "the boss").
ZH_NOT_NUMBERS = frozenset("一把手 二把手 一言堂 一刀切 一票否决 一条龙 一锅端 一家人".split())

_ZH_NUMBER = re.compile(r"^(?:[\d０-９.,%％]+|[〇零一二两三四五六七八九十百千万亿几半多来余第每]+"
                        r"[年月日号天岁个块元毛分角次回遍趟届任家户人名位条件本张斤亩米里层级年代"
                        r"点钟小时周星期]*[多来余]?|[〇零一二两三四五六七八九十百千万几半]+"
                        r"[个分块毛元年月天次回遍趟口下点些样种句步把张条位名家户顿场阵辈层级]"
                        r"[钱子儿时]?)$")

EN_FUNCTION = frozenset("""
a an the this that these those some any each every either neither all both such what which whose
of in on at by for with from to into onto upon about above below over under after before between
through during without within along across around among against toward towards behind beyond than
as since until till via per and or but nor if because while though although unless whereas whether
then so also just even only too very quite rather much many more most less least own same other
another i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves one ones
be am is are was were been being have has had having do does did doing done will would shall
should can could may might must ought get got gets getting
i'm i've i'd i'll you're you've you'd you'll he's he'd he'll she's she'd she'll it's it'd it'll
we're we've we'd we'll they're they've they'd they'll that's there's here's what's who's let's
there here where when why how who whom now still yet ever already again back out up down off away
""".split())

#: Offices, titles and places on their own (county, bureau, deputy director): an English phrase
#: neither begins nor ends on one.
EN_OFFICE = frozenset("""
county counties township townships town towns village villages province provinces provincial city
cities district districts bureau bureaus office offices department departments committee
committees station stations party team teams court courts prison prisons government
director directors chief chiefs secretary secretaries head heads leader leaders deputy deputies
mayor mayors official officials cadre cadres chairman boss bosses clerk clerks staff colleague
colleagues section unit units level levels
""".split())

#: Words after which an English phrase may continue and with which it may begin, not end.
EN_LEAD = frozenset("""
not no never nobody nothing nowhere none don't doesn't didn't can't couldn't won't wouldn't
shouldn't isn't aren't wasn't weren't hasn't haven't hadn't mustn't
""".split())

#: Objects a phrase may end on ("everybody did it", "pay them") but not begin with.
_EN_OBJECTS = frozenset("it them him her us me".split())

EN_NUMBERS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
hundreds thousand thousands million millions billion half dozen first second third fourth fifth
sixth seventh eighth ninth tenth once twice
year years month months week weeks day days hour hours minute minutes today yesterday tomorrow
morning evening night o'clock ago monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december
yuan rmb dollars percent
""".split())

#: Very common English words: in the study they are not telling (``general`` frequency
#: 1 in 1,000 where no reference list is installed).
EN_COMMON = frozenset("""
ask asks asking tell tells telling pay pays paying paid buy bought sell sold help helped
run ran bring brought send sent read write wrote sit sat stand stood meet met lose lost win won
wait waited stay stayed live lived die died happen happened open opened close closed stop stopped
move moved play played hold held spend spent change changed follow followed believe believed
remember remembered understand understood agree agreed care cared like liked love loved hope hoped
today night morning week year day car phone call calls meeting meetings dinner lunch food
school schools son's father's mother's wife's husband's friend's
problem problems question questions reason matter case point fact idea story word words name
number group side end kind sort line room door road water table paper book letter report reports
say said says tell told ask asked go went gone going come came coming make made take took taken
give gave given see saw seen know knew known think thought want wanted need needed look looked
put keep kept let find found call called try tried use used work worked feel felt leave left
seem seemed become became turn turned start started show showed hear heard talk talked
people person man men woman women child children family thing things time way place part
money job home house work world life hand head eye face friend friends wife husband son daughter
mother father brother sister county town township village office city country government
good bad big small new old long little great high low right left last next few lot lots
always sometimes often usually maybe perhaps probably really actually certainly
something anything everything nothing someone anyone everyone somebody anybody everybody
""".split())

_EN_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d[\d,.:]*|[^\sA-Za-z\d]")


def en_words(text: str) -> list[str]:
    """The words of English ``text`` as said, lower case, contractions and possessives whole
    (``can't``, ``wife's``), with punctuation as separate tokens."""
    return [word.lower().replace("\u2019", "'") for word in _EN_WORD.findall(text)]


def zh_kind(word: str, tags: Mapping[str, str] | None) -> int:
    """The kind of a Chinese token (a word of jieba's)."""
    if word in ZH_NOT_NUMBERS:
        return CONTENT
    if not word or word in ZH_FILLERS or _ZH_NUMBER.match(word) or not _has_letter(word):
        return BREAK
    tag = tags.get(word) if tags else None
    if tag in _ZH_BREAK_TAGS and len(word) < 4:
        return BREAK
    if word in ZH_LEAD:
        return LEAD
    if word in ZH_FUNCTION or word in ZH_DIALECT_FUNCTION or ZH_KIN.match(word) \
            or ZH_NAME.match(word) and tag in (None, "nr", "nrfg", "nrt") \
            or ZH_PLACE.match(word) or ZH_OFFICE.match(word) \
            or ZH_DIRECTIONAL.match(word) or ZH_DEICTIC.match(word) \
            or ZH_MEASURE_END.match(word) or (tag in _ZH_EDGE_TAGS and len(word) < 4):
        return EDGE
    if not _is_cjk(word):
        return BREAK  # Latin words inside Chinese talk do not make Chinese phrases
    return CONTENT


def en_kind(word: str) -> int:
    """The kind of an English word (lower case, as :func:`en_words` gives it)."""
    if not word[0].isalpha() or word in EN_FILLERS or word in EN_NUMBERS:
        return BREAK
    if word in EN_LEAD:
        return LEAD
    if word in EN_FUNCTION or word in _EN_OBJECTS or word in EN_OFFICE:
        return EDGE
    return CONTENT


def en_may_end(word: str) -> bool:
    """Besides on a content word, an English phrase may end on an object pronoun ("did it")."""
    return word in _EN_OBJECTS


def en_possessive(word: str) -> bool:
    """``somebody's``: a possessive belongs to the word after it; no phrase ends on one."""
    return word.endswith("'s") and word not in EN_FUNCTION


#: Words that are common in any English (for the reference frequency).
EN_EVERYDAY = EN_COMMON | EN_FUNCTION | EN_LEAD | _EN_OBJECTS


def courtesy(phrase: str, words: tuple[str, ...]) -> bool:
    """Whether the phrase holds a courtesy formula (谢谢你们, thank you)."""
    if any(formula in phrase for formula in ZH_COURTESY):
        return True
    return any(word in EN_COURTESY for word in words)


def en_filler_pair(words: tuple[str, ...]) -> bool:
    """Whether an English phrase holds "you know", "I mean" or the like."""
    return any(pair in EN_FILLER_PAIRS for pair in zip(words, words[1:]))


def _has_letter(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _is_cjk(word: str) -> bool:
    return _CJK_CHAR.search(word) is not None
