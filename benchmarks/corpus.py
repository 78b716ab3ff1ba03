"""Generate a synthetic Chinese interview corpus for benchmarks (deterministic).

The text is made of turn-labelled interview lines drawn from a vocabulary of
phrases about grassroots work, so that it segments like real transcripts and
contains terms of the built-in codebook at a realistic density. It is not
meaningful text and holds no real data.

Usage: python benchmarks/corpus.py OUT_DIR --mb 50
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

PHRASES = [
    "那时候在村里干了十几年", "上面千条线下面一根针", "项目资金一直批不下来", "只能去县里跑关系",
    "大家都这样，你不收反而不合群", "逢年过节意思意思是常有的事", "工资一个月就两三千块",
    "孩子上学要花钱", "家里还欠着房贷", "看到老板一个个都发了财", "心里就不平衡了",
    "考核指标压得喘不过气", "出了事就要问责", "提拔的事基本没指望了", "到点了就退二线",
    "亲戚找上门来，抹不开面子", "都是一个村的老乡", "人情世故你躲不开", "老人情绪不太稳定",
    "血压有点高", "这个地方自然资源很丰富", "我也没想到会走到今天这一步", "现在想想真的很后悔",
    "监狱里每天要学习劳动", "家里人来看过我几次", "当时也没多想", "就是觉得别人都拿了",
    "镇里开会说要维稳", "一票否决的事谁也不敢碰", "审批卡在那里，不打点根本不行",
    "他说你放心，这个事我来办", "礼尚往来嘛", "烟酒红包这些都收过", "吃拿卡要在我们那里很普遍",
]
INTERVIEWER = ["能具体说说吗？", "当时是怎么想的？", "后来呢？", "您觉得主要原因是什么？",
               "这种情况多吗？", "家里的情况怎么样？", "有没有想过拒绝？"]


def transcript(rng: random.Random, number: int, turns: int) -> str:
    lines = [f"访谈编号：B{number:05d}", "访谈地点：某省某监狱", "访谈人：R1", ""]
    for turn in range(turns):
        stamp = f"[{turn // 60:02d}:{turn % 60:02d}:{rng.randrange(60):02d}] "
        lines.append(f"{stamp}问：{rng.choice(INTERVIEWER)}")
        body = "，".join(rng.choice(PHRASES) for _ in range(rng.randint(3, 12))) + "。"
        lines.append(f"{stamp}答：{body}")
        if rng.random() < 0.1:
            lines.append("，".join(rng.choice(PHRASES) for _ in range(4)) + "。")
    return "\n".join(lines) + "\n"


def write_until(out: Path, megabytes: float, prefix: str,
                make_text: Callable[[int], str]) -> list[Path]:
    """Write ``<prefix><number>.txt`` files of ``make_text(number)`` until ``megabytes`` MB."""
    out.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1_000_000)
    files, total, number = [], 0, 0
    while total < target:
        number += 1
        path = out / f"{prefix}{number:05d}.txt"
        data = make_text(number).encode("utf-8")
        path.write_bytes(data)
        files.append(path)
        total += len(data)
    return files


def generate(out: Path, megabytes: float, *, turns: int = 60, seed: int = 7) -> list[Path]:
    """Write transcripts until ``megabytes`` MB (UTF-8) are on disk; return the files."""
    rng = random.Random(seed)
    return write_until(out, megabytes, "B", lambda number: transcript(rng, number, turns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=50.0)
    args = parser.parse_args()
    files = generate(args.out, args.mb)
    print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
