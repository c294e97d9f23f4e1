#!/usr/bin/env python3
"""parrot's training entry: thin glue around TRL / transformers / PEFT, and llama.cpp's convert_hf_to_gguf.py.

Written into each run folder by `parrot train ask|chat|capo --engine trl` (as DIR/parrot_train.py) and run by
DIR/run.sh with the Python of `parrot train setup --engine trl` (versions pinned in python/requirements-trl.txt).

  parrot_train.py tokenizer --base-model SPEC --out DIR
      Save the base model's tokenizer (tokenizer.json, tokenizer_config.json, chat template) into DIR, so parrot can
      pre-tokenize the data with exactly the tokenizer the model is trained with.
  parrot_train.py train --config config.yaml --parrot parrot.json
      config.yaml: TRL SFTConfig / DPOConfig fields (the file `trl sft|dpo --config` also reads) plus
      model_name_or_path and datasets; parrot.json: what TRL's CLI cannot express (a GGUF base model, LoRA, where to
      write metrics.jsonl / checkpoint / model.gguf, the llama.cpp source). Trains with SFTTrainer (ask, chat:
      pre-tokenized {input_ids, labels}; TRL keeps given labels) or DPOTrainer (capo: conversational
      {prompt, chosen, rejected}; TRL copies the base model as the frozen reference), logs one JSON row per logged step
      to metrics.jsonl, saves the (LoRA-merged) model and tokenizer to checkpoint/, converts it to model.gguf.

SPEC: a Hugging Face id or folder, or "gguf:PATH" (loaded with transformers' GGUF support: `gguf_file=`,
dequantized to float32).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path


def log(msg: str) -> None:
    print(f"[parrot] {msg}", file=sys.stderr, flush=True)


def model_source(spec: str) -> tuple[str, dict]:
    """(name_or_dir, from_pretrained kwargs) for a base-model SPEC."""
    if spec.startswith("gguf:"):
        p = Path(spec[5:]).resolve()
        if not p.is_file():
            raise SystemExit(f"parrot_train: {p}: no such GGUF file")
        return str(p.parent), {"gguf_file": p.name}
    return spec, {}


# GGUF `tokenizer.ggml.pre` -> the Hugging Face pre-tokenizer llama.cpp implements for it (llama-vocab.cpp).
# transformers' GGUF tokenizer converter writes a plain ByteLevel pre-tokenizer whatever the GGUF says; for SmolLM
# ("smollm": digits split one by one, then GPT-2 byte-level) that tokenizes numbers differently from the model's own
# tokenizer.json, and llama.cpp's converter then cannot recognise the pre-tokenizer. Only the pre types we have
# checked against the original tokenizer.json are listed.
def _fix_pre_tokenizer(tok, gguf_path: Path) -> None:
    from gguf import GGUFReader
    from tokenizers import pre_tokenizers

    reader = GGUFReader(str(gguf_path))
    field = reader.fields.get("tokenizer.ggml.pre")
    pre = bytes(field.parts[field.data[0]]).decode() if field is not None else None
    if pre == "smollm":
        tok.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Digits(individual_digits=True),
                pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
            ]
        )
    elif pre not in (None, "default", "gpt2"):
        log(
            f"warning: GGUF pre-tokenizer {pre!r} is not mapped back to a Hugging Face pre-tokenizer; "
            "pass --tokenizer DIR (the model's own tokenizer folder) if numbers or punctuation tokenize differently"
        )


def load_tokenizer(spec: str):
    from transformers import AutoTokenizer

    src, kw = model_source(spec)
    tok = AutoTokenizer.from_pretrained(src, **kw)
    if "gguf_file" in kw:
        _fix_pre_tokenizer(tok, Path(src) / kw["gguf_file"])
    return tok


def cmd_tokenizer(a) -> None:
    tok = load_tokenizer(a.base_model)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(str(out))
    log(f"tokenizer of {a.base_model} saved to {out}")


def _config_fields(config_cls, cfg: dict) -> dict:
    names = {f.name for f in dataclasses.fields(config_cls)}
    unknown = sorted(k for k in cfg if k not in names and k not in ("model_name_or_path", "datasets"))
    if unknown:
        raise SystemExit(f"parrot_train: config fields unknown to {config_cls.__name__}: {', '.join(unknown)}")
    return {k: v for k, v in cfg.items() if k in names}


class MetricsCallback:
    """Writes one JSON row per logged step ({step, loss, learning_rate, grad_norm, epoch, tokens, elapsed_s}) and
    prints a progress line."""

    def __init__(self, path: Path, max_steps_hint: int | None):
        self.path = path
        self.t0 = time.time()
        self.max_steps_hint = max_steps_hint
        path.write_text("")

    def make(self):
        from transformers import TrainerCallback

        outer = self

        class _CB(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kw):
                logs = logs or {}
                if "loss" not in logs:
                    return
                row = {"step": state.global_step, "loss": logs["loss"]}
                for k in ("learning_rate", "grad_norm", "epoch"):
                    if k in logs:
                        row[k] = logs[k]
                for k, v in logs.items():
                    if k.startswith("rewards/") or k.startswith("logps/"):
                        row[k] = v
                row["tokens"] = int(state.num_input_tokens_seen or 0)
                row["elapsed_s"] = round(time.time() - outer.t0, 3)
                with outer.path.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                total = state.max_steps or outer.max_steps_hint or "?"
                log(
                    f"step {state.global_step}/{total} loss {logs['loss']:.4f}"
                    + (f" lr {logs['learning_rate']:.3g}" if "learning_rate" in logs else "")
                    + f" ({row['elapsed_s']:.1f} s, {row['tokens']} tokens)"
                )

        return _CB()


def cmd_train(a) -> None:
    import yaml
    import torch
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM

    cfg = yaml.safe_load(Path(a.config).read_text())
    p = json.loads(Path(a.parrot).read_text())
    kind = p["kind"]
    on_gpu = torch.cuda.is_available()
    if not on_gpu:
        # CPU: no bf16 autocast (slow or unsupported), float32 weights.
        cfg["bf16"] = False
    cfg["disable_tqdm"] = True
    cfg["include_num_input_tokens_seen"] = "all"
    cfg.setdefault("report_to", "none")

    t0 = time.time()
    src, kw = model_source(p["base_model"])
    log(f"loading {p['base_model']}{' (GGUF, dequantized)' if 'gguf_file' in kw else ''}")
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.bfloat16 if (on_gpu and cfg.get("bf16")) else torch.float32, **kw)
    if "gguf_file" in kw:
        # The GGUF weights are dequantized to float32 on load; transformers still marks the model as quantized and
        # would refuse full fine-tuning, so the (inert) GGUF quantizer is detached.
        model.hf_quantizer = None
        model.is_quantized = False
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
    tok = load_tokenizer(p["tokenizer_dir"])
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    log(f"loaded in {time.time() - t0:.1f} s: {sum(x.numel() for x in model.parameters()) / 1e6:.1f}M parameters")

    ds = cfg["datasets"][0]
    dataset = load_dataset("json", data_files=ds["data_files"], split=ds.get("split", "train"))
    if p.get("max_samples"):
        dataset = dataset.select(range(min(p["max_samples"], len(dataset))))

    peft_config = None
    if p.get("lora"):
        from peft import LoraConfig

        lc = p["lora"]
        peft_config = LoraConfig(r=lc["r"], lora_alpha=lc["alpha"], lora_dropout=lc["dropout"], target_modules="all-linear", task_type="CAUSAL_LM")

    out = Path(p["out_dir"])
    cb = MetricsCallback(Path(p["metrics"]), cfg.get("max_steps"))
    if kind == "capo":
        from trl import DPOConfig, DPOTrainer

        args = DPOConfig(**_config_fields(DPOConfig, cfg))
        trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tok, peft_config=peft_config, callbacks=[cb.make()])
    else:
        from trl import SFTConfig, SFTTrainer

        args = SFTConfig(**_config_fields(SFTConfig, cfg))
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tok, peft_config=peft_config, callbacks=[cb.make()])
    log(f"training {kind}: {len(dataset)} records, {trainer.args.per_device_train_batch_size} per device x {trainer.args.gradient_accumulation_steps} accumulation, max {trainer.args.max_steps if trainer.args.max_steps > 0 else 'all'} steps")
    t1 = time.time()
    result = trainer.train()
    train_s = time.time() - t1

    trained = trainer.model
    if peft_config is not None:
        trained = trained.merge_and_unload()
    ckpt = Path(p["checkpoint"])
    ckpt.mkdir(parents=True, exist_ok=True)
    trained.save_pretrained(str(ckpt), safe_serialization=True)
    tok.save_pretrained(str(ckpt))
    summary = {
        "kind": kind,
        "steps": trainer.state.global_step,
        "train_loss": result.training_loss,
        "train_s": round(train_s, 3),
        "tokens": int(trainer.state.num_input_tokens_seen or 0),
        "tokens_per_s": round((trainer.state.num_input_tokens_seen or 0) / train_s, 2) if train_s > 0 else None,
        "device": "cuda:" + torch.cuda.get_device_name(0) if on_gpu else "cpu",
        "torch_threads": torch.get_num_threads(),
    }
    log(f"trained {summary['steps']} steps in {train_s:.1f} s ({summary['tokens']} tokens, {summary['tokens_per_s']} tokens/s); checkpoint: {ckpt}")
    if not math.isfinite(result.training_loss):
        raise SystemExit(f"parrot_train: training loss is not finite ({result.training_loss})")

    if p.get("gguf"):
        gguf = Path(p["gguf"])
        tmp = gguf.with_name(gguf.name + ".partial")
        script = Path(p["llama_cpp_dir"]) / "convert_hf_to_gguf.py"
        cmd = [sys.executable, str(script), str(ckpt), "--outfile", str(tmp), "--outtype", p.get("gguf_type", "f16")]
        log(f"converting to GGUF: {' '.join(cmd)}")
        t2 = time.time()
        env = {k: v for k, v in os.environ.items() if k != "NO_LOCAL_GGUF"}  # use the gguf-py shipped with that source
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout[-4000:])
            raise SystemExit(f"parrot_train: convert_hf_to_gguf.py exited with {r.returncode}")
        os.replace(tmp, gguf)
        summary["gguf"] = str(gguf)
        summary["gguf_bytes"] = gguf.stat().st_size
        summary["convert_s"] = round(time.time() - t2, 3)
        log(f"wrote {gguf} ({gguf.stat().st_size / 1e6:.1f} MB) in {summary['convert_s']:.1f} s")
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="parrot_train.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tokenizer")
    t.add_argument("--base-model", required=True)
    t.add_argument("--out", required=True)
    r = sub.add_parser("train")
    r.add_argument("--config", required=True)
    r.add_argument("--parrot", required=True)
    a = ap.parse_args(argv)
    {"tokenizer": cmd_tokenizer, "train": cmd_train}[a.cmd](a)


if __name__ == "__main__":
    main()
