"""Generate a Chinese interview corpus for the rule-coding benchmark (deterministic).

Turns are built from a vocabulary of everyday and work words in random order,
with the Chinese terms (and ``not`` terms) of a codebook dropped into a
quarter of the sentences, so that hits stand in varied contexts: some
inside longer words, some across word boundaries, most in running text. It
is not meaningful text and holds no real data.

Density: ``rule_density.py`` measures hits and segmented windows per MB of
respondent text here and in the sample transcripts; the generated text is not
denser than the sample interviews (see docs/benchmarks.md, "Rule coding").

Usage: python benchmarks/rule_corpus.py OUT_DIR --mb 50 [--codebook six-pressures]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from corpus import write_until
from gtcode.codebook import load_codebook

WORDS = """
我们 你们 他们 村里 镇上 县里 乡里 单位 领导 书记 主任 会计 干部 群众 老百姓 家里 孩子 老婆
父母 亲戚 朋友 同学 老乡 老板 工作 事情 问题 情况 时候 当时 后来 现在 以前 一直 平时 每年
开会 汇报 检查 考核 材料 文件 项目 资金 工程 道路 修路 房子 土地 补贴 低保 扶贫 指标 审批
签字 报账 发票 手续 程序 规定 制度 政策 上面 下面 那边 这边 一起 一般 其实 确实 特别 非常
比较 可能 应该 必须 只能 还是 就是 然后 所以 因为 但是 如果 虽然 而且 不过 一下 一点 一些
一个 两个 几个 很多 不少 大家 别人 自己 人家 心里 觉得 知道 认为 想到 没想到 担心 害怕
高兴 难受 后悔 压力 负担 责任 任务 目标 成绩 机会 关系 办法 条件 环境 经济 收入 工资 开支
看病 上学 结婚 买房 还款 生活 日子 天气 下雨 吃饭 喝酒 抽烟 电话 微信 开车 出门 回家 晚上
白天 早上 过年 春节 中秋 端午 年底 月初 去年 今年 明年 村委会 乡政府 县政府 派出所 卫生院
学校 医院 银行 信用社 合作社 企业 公司 工厂 市场 商店 饭店 宾馆 办公室 会议室 老人 情绪
世故 面子 规矩 习惯 风气 传统 说法 道理 意思 态度 脾气 性格 能力 水平 经验 年纪 身体 精神
""".split()
INTERVIEWER = ["能具体说说吗？", "当时是怎么想的？", "后来呢？", "您觉得主要原因是什么？",
               "这种情况多吗？", "家里的情况怎么样？", "有没有想过拒绝？", "还有别的吗？"]


def chinese_terms(codebook: str) -> list[str]:
    """Every Chinese term, ``not`` term and near term of the codebook, in file order
    (a term may repeat). Context words of near rules are everyday words: they are
    left in the vocabulary and occur as they would."""
    book = load_codebook(codebook)
    terms = []
    for code in book.codes:
        if code.rules:
            tables = [code.rules.terms, code.rules.not_,
                      *(near.terms for near in code.rules.near)]
            for table in tables:
                terms.extend(table.get("zh", []))
    return terms


def sentence(rng: random.Random, terms: list[str], words_: list[str]) -> str:
    words = [rng.choice(words_) for _ in range(rng.randint(4, 12))]
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words) + 1), rng.choice(terms))
    text = "".join(words)
    return text + rng.choice("，，，。。！？")


def transcript(rng: random.Random, number: int, terms: list[str], words: list[str],
               turns: int) -> str:
    lines = [f"访谈编号：G{number:05d}", "访谈地点：某省某监狱", ""]
    for _ in range(turns):
        lines.append("问：" + rng.choice(INTERVIEWER))
        body = "".join(sentence(rng, terms, words) for _ in range(rng.randint(2, 8)))
        lines.append("答：" + body.rstrip("，") + "。")
    return "\n".join(lines) + "\n"


def generate(out: Path, megabytes: float, *, codebook: str = "six-pressures",
             turns: int = 80, seed: int = 11) -> list[Path]:
    """Write transcripts until ``megabytes`` MB (UTF-8) are on disk; return the files."""
    rng = random.Random(seed)
    terms = chinese_terms(codebook)
    words = [w for w in WORDS if w not in set(terms)]  # terms come only where placed
    return write_until(out, megabytes, "G",
                       lambda number: transcript(rng, number, terms, words, turns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--codebook", default="six-pressures")
    args = parser.parse_args()
    files = generate(args.out, args.mb, codebook=args.codebook)
    print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB "
          f"in {args.out}")


if __name__ == "__main__":
    main()
