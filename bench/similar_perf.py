"""Similar apps: build an index of N generated apps, then time top-10 queries on one core.

    PYTHONPATH=src python bench/similar_perf.py [--docs 100000] [--queries 500] [--seed 1]

Prints the tokeniser warm-up, the build time, the process's resident memory before and after the
build (the index's cost is the difference), the incremental update time and the query latencies.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import time

from govapp.consolidation import text
from govapp.consolidation.index import AppDocument, Query, SimilarityIndex

FUNCTIONS = str.split(
    "网格巡查 事件上报 随手拍 积分排行 党员学习 组织生活 社保查询 公积金提取 预约挂号 缴费 投诉建议 政策解读 "
    "办事指南 不动产登记 企业开办 就业招聘 养老服务 应急值守 防汛预警 安全生产检查 执法记录 环境监测 垃圾分类 "
    "文明实践 志愿服务 疫苗接种 健康码 交通出行 公交查询 停车缴费 学校招生 入学报名 农技服务 乡村治理 村务公开 "
    "党务公开 信访件办理 12345热线 民意征集 政务公开 人才服务 税务申报 发票查验 医保报销 养老金认证 残疾人服务 "
    "救助申请 殡葬服务 婚姻登记 户籍办理 出入境 驾驶证 车辆年检"
)
PLACES = "浙江 杭州 宁波 温州 余杭 萧山 西湖 滨江 江苏 南京 苏州 广东 深圳 成都 武汉".split()  # noqa: SIM905
SUFFIXES = "通 办 e家 在线 掌上 云 智慧 数字".split()  # noqa: SIM905


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def generate(rng: random.Random, n: int) -> list[AppDocument]:
    docs = []
    for i in range(n):
        fs = rng.sample(FUNCTIONS, rng.randint(3, 8))
        name = rng.choice(PLACES) + rng.choice(fs)[:2] + rng.choice(SUFFIXES)
        docs.append(
            AppDocument(
                f"app:{i}",
                name,
                "、".join(fs) + "等功能",
                rng.choice(["app", "miniprogram", "quickapp"]),
                str(rng.randint(11, 65)),
                rng.choice(["provincial", "municipal", "county", "township"]),
            )
        )
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(args.seed)
    docs = generate(rng, args.docs)
    started = time.perf_counter()
    text.words("预热")
    print(f"tokeniser load {time.perf_counter() - started:.2f} s")
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = SimilarityIndex()
    index.add_many(docs)
    index.search(Query(name=docs[0].name, functions=docs[0].functions))  # freezes postings, norms
    build = time.perf_counter() - started
    gc.collect()
    after = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(
        f"build {args.docs} docs {build:.1f} s; RSS {before:.0f} -> {after:.0f} MB "
        f"(index {after - before:.0f} MB), peak {peak:.0f} MB"
    )
    queries = [
        Query(name=d.name, functions=d.functions, kind=d.kind, province=d.province, level=d.level)
        for d in rng.sample(docs, args.queries)
    ]
    # Wall time and this thread's CPU time per query: on a shared machine the wall clock also counts
    # the time other processes held the core; CPU time is what one query costs the core.
    latencies: list[float] = []
    cpu: list[float] = []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        index.search(query, limit=10)
        latencies.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    for label, values in (("wall", latencies), ("cpu", cpu)):
        values.sort()
        n = len(values)
        print(
            f"query {label} p50 {values[n // 2] * 1000:.1f} ms  p90 {values[int(n * 0.9)] * 1000:.1f} ms  "
            f"p99 {values[int(n * 0.99) - 1] * 1000:.1f} ms  max {values[-1] * 1000:.1f} ms"
        )
    # Incremental updates: one filing change replaces its document; then the first query after it.
    updates = []
    for doc in rng.sample(docs, 200):
        started = time.perf_counter()
        index.add(AppDocument(doc.key, doc.name + "新版", doc.functions + "、移动审批", doc.kind))
        updates.append(time.perf_counter() - started)
    updates.sort()
    started = time.perf_counter()
    index.search(queries[0])
    print(
        f"update p50 {updates[100] * 1000:.2f} ms p99 {updates[197] * 1000:.2f} ms; "
        f"first query after 200 updates {(time.perf_counter() - started) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
