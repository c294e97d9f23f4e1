"""distilabel's side of bench/orchestrators.mjs (issue 15, comparison 2): multi-turn sessions from seed queries.

A distilabel Pipeline unrolled over the turns, every model call an OpenAILLM pointed at llama-server:
  LoadDataFromDicts (one row per seed: messages = [seed query])
  -> ChatGeneration (assistant turn 1) -> append the answer
  -> TextGeneration (user simulator: the conversation + appendix B.2's instruction, the prompt parrot's
     `--simulator prompted` sends) -> append the query -> ChatGeneration (assistant turn 2) -> ... -> assistant turn T.
Every task gets input_batch_size = --concurrency (distilabel's OpenAILLM sends a batch's requests at once).

  python bench/orchestrators_distilabel.py --seeds SEEDS.json --base-url http://127.0.0.1:PORT/v1 --model NAME
      --turns 3 --max-tokens 64 --query-max-tokens 64 --temperature 0.7 --concurrency 8 --out OUT.json

Prints one JSON line: sessions, user turns, wall seconds of pipeline.run and of the imports.
"""

import argparse
import json
import os
import re
import time

parser = argparse.ArgumentParser()
parser.add_argument("--seeds", required=True, help="JSON list of seed query strings")
parser.add_argument("--base-url", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--turns", type=int, default=3)
parser.add_argument("--max-tokens", type=int, default=64)
parser.add_argument("--query-max-tokens", type=int, default=64)
parser.add_argument("--temperature", type=float, default=0.7)
parser.add_argument("--concurrency", type=int, default=8)
parser.add_argument("--out", required=True)
a = parser.parse_args()

t_import = time.perf_counter()
from distilabel.models import OpenAILLM  # noqa: E402
from distilabel.pipeline import Pipeline  # noqa: E402
from distilabel.steps import LoadDataFromDicts, StepInput, step  # noqa: E402
from distilabel.steps.tasks import ChatGeneration, TextGeneration  # noqa: E402

import_s = time.perf_counter() - t_import

# parrot's PROMPTED_USER_INSTRUCTION (src/collect/prompts.ts), after the conversation as "User: ..."/"Assistant: ...".
INSTRUCTION = (
    "Above is a conversation between a user and an intelligent assistant. Now suppose you are the user, say something "
    "to continue the conversation based on the given context. Make the response short and the language casual, and "
    "incorporate pronouns, ellipses, and other natural language phenomena in your response to make it more akin to "
    "real humans."
)
TEMPLATE = "{{ conversation }}\n\n" + INSTRUCTION


def render(messages):
    return "\n\n".join(f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}" for m in messages)


def clean_query(text):
    out = (text or "").strip()
    out = re.sub(r"^(?:\*\*)?(?:user|me|human)(?:\*\*)?\s*:\s*", "", out, flags=re.I)
    return out.strip()


@step(inputs=["messages", "generation"], outputs=["messages", "conversation"])
def AppendAnswer(inputs: StepInput):
    for row in inputs:
        row["messages"] = row["messages"] + [{"role": "assistant", "content": row["generation"] or ""}]
        row["conversation"] = render(row["messages"])
    yield inputs


@step(inputs=["messages", "generation"], outputs=["messages"])
def AppendQuery(inputs: StepInput):
    for row in inputs:
        row["messages"] = row["messages"] + [{"role": "user", "content": clean_query(row["generation"])}]
    yield inputs


def llm(max_tokens):
    return OpenAILLM(
        model=a.model,
        base_url=a.base_url,
        api_key="none",
        max_retries=0,
        timeout=600,
        generation_kwargs={"max_new_tokens": max_tokens, "temperature": a.temperature},
    )


seeds = json.load(open(a.seeds))
C = a.concurrency
with Pipeline(name="parrot-bench-orchestrators", cache_dir=os.path.join(os.path.dirname(os.path.abspath(a.out)), "distilabel-cache")) as pipeline:
    prev = LoadDataFromDicts(data=[{"messages": [{"role": "user", "content": s}]} for s in seeds], batch_size=C)
    for t in range(1, a.turns + 1):
        answer = ChatGeneration(name=f"assistant_{t}", llm=llm(a.max_tokens), input_batch_size=C)
        append = AppendAnswer(name=f"append_answer_{t}", input_batch_size=C)
        prev >> answer >> append
        prev = append
        if t < a.turns:
            query = TextGeneration(name=f"user_{t}", llm=llm(a.query_max_tokens), template=TEMPLATE, columns="conversation", input_batch_size=C)
            addq = AppendQuery(name=f"append_query_{t}", input_batch_size=C)
            prev >> query >> addq
            prev = addq

t0 = time.perf_counter()
distiset = pipeline.run(use_cache=False)
wall = time.perf_counter() - t0
rows = distiset["default"]["train"]
sessions = [r["messages"] for r in rows]
json.dump({"sessions": sessions}, open(a.out, "w"))
print(json.dumps({"sessions": len(sessions), "wall_s": wall, "import_s": import_s, "user_turns": sum(sum(1 for m in s if m["role"] == "user") for s in sessions)}))
