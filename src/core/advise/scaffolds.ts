/**
 * New files that code actions create: a model router and Batch API submissions, in the language of the call's file.
 * They are starting points that run as written (given the SDK and a key), documented inline.
 */
import * as path from 'node:path';
import type { Language } from '../types';

export interface Scaffold {
  file: string;
  content: string;
}

/** `dir/llm_router.py` or `dir/llmRouter.ts` next to the call's file. */
export function routerScaffold(callFile: string, language: Language, cheapModel: string, premiumModel: string): Scaffold {
  const dir = path.posix.dirname(callFile);
  const join = (name: string): string => (dir === '.' ? name : `${dir}/${name}`);
  if (language === 'python') {
    return {
      file: join('llm_router.py'),
      content: `"""Route each request to the cheapest model that can handle it (scaffolded by costlens).

Most requests are simple; send them to ${cheapModel} and escalate to ${premiumModel} only when a request
looks hard. Tune the heuristics on real traffic, or replace them with a small classifier call, and measure with
\`costlens compare\` before and after.
"""
import os
import re

CHEAP_MODEL = os.getenv("LLM_CHEAP_MODEL", "${cheapModel}")
PREMIUM_MODEL = os.getenv("LLM_PREMIUM_MODEL", "${premiumModel}")

# Signals that a request needs the premium model.
_HARD = re.compile(r"\\b(why|explain|compare|analy[sz]e|step by step|prove|debug|design|plan|trade-?offs?)\\b", re.I)
_MAX_SIMPLE_CHARS = 600


def choose_model(user_text: str, *, force_premium: bool = False) -> str:
    """The model for one request: cheap by default, premium for long or hard requests."""
    if force_premium or os.getenv("LLM_ROUTER_DISABLED") == "1":
        return PREMIUM_MODEL
    if len(user_text) > _MAX_SIMPLE_CHARS or _HARD.search(user_text):
        return PREMIUM_MODEL
    if user_text.count("\`\`\`") >= 2:  # code blocks
        return PREMIUM_MODEL
    return CHEAP_MODEL
`,
    };
  }
  const ext = language === 'typescript' ? 'ts' : 'js';
  const typed = language === 'typescript';
  return {
    file: join(`llmRouter.${ext}`),
    content: `/**
 * Route each request to the cheapest model that can handle it (scaffolded by costlens).
 *
 * Most requests are simple; send them to ${cheapModel} and escalate to ${premiumModel} only when a request looks
 * hard. Tune the heuristics on real traffic, or replace them with a small classifier call, and measure with
 * \`costlens compare\` before and after.
 */
export const CHEAP_MODEL = process.env.LLM_CHEAP_MODEL ?? '${cheapModel}';
export const PREMIUM_MODEL = process.env.LLM_PREMIUM_MODEL ?? '${premiumModel}';

/** Signals that a request needs the premium model. */
const HARD = /\\b(why|explain|compare|analy[sz]e|step by step|prove|debug|design|plan|trade-?offs?)\\b/i;
const MAX_SIMPLE_CHARS = 600;

/** The model for one request: cheap by default, premium for long or hard requests. */
export function chooseModel(userText${typed ? ': string' : ''}, options${typed ? ': { forcePremium?: boolean }' : ''} = {})${typed ? ': string' : ''} {
  if (options.forcePremium || process.env.LLM_ROUTER_DISABLED === '1') return PREMIUM_MODEL;
  if (userText.length > MAX_SIMPLE_CHARS || HARD.test(userText)) return PREMIUM_MODEL;
  if ((userText.match(/\`\`\`/g) ?? []).length >= 2) return PREMIUM_MODEL; // code blocks
  return CHEAP_MODEL;
}
`,
  };
}

/** A Batch API submission for the provider, next to the call's file; null when no scaffold exists for it. */
export function batchScaffold(callFile: string, language: Language, provider: string, model: string, functionName: string | null): Scaffold | null {
  const dir = path.posix.dirname(callFile);
  const base = (functionName ?? 'requests').replace(/[^A-Za-z0-9_]/g, '_');
  const join = (name: string): string => (dir === '.' ? name : `${dir}/${name}`);
  const py = language === 'python';
  const ts = language === 'typescript';
  const ext = py ? 'py' : ts ? 'ts' : 'mjs';
  const file = join(py ? `batch_${snake(base)}.py` : `batch${pascal(base)}.${ext}`);
  if (provider === 'openai' || provider === 'azure') {
    return {
      file,
      content: py
        ? `"""Submit ${base} through the OpenAI Batch API (50% cheaper, results within 24 hours). Scaffolded by costlens.

Run it as a job: build one request per item, submit, then poll and read the results file.
Docs: https://platform.openai.com/docs/guides/batch
"""
import json
import time

from openai import OpenAI

client = OpenAI()
MODEL = "${model}"


def submit(items: list[dict]) -> str:
    """items: [{"id": ..., "messages": [...]}] -> batch id."""
    lines = [
        json.dumps({"custom_id": str(item["id"]), "method": "POST", "url": "/v1/chat/completions",
                    "body": {"model": MODEL, "messages": item["messages"]}})
        for item in items
    ]
    batch_file = client.files.create(file=("batch.jsonl", "\\n".join(lines).encode()), purpose="batch")
    batch = client.batches.create(input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h")
    return batch.id


def results(batch_id: str, poll_seconds: int = 60) -> dict[str, str]:
    """Waits for the batch and returns {custom_id: reply text}."""
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            break
        time.sleep(poll_seconds)
    if batch.status != "completed" or not batch.output_file_id:
        raise RuntimeError(f"batch {batch_id} ended with status {batch.status}")
    out: dict[str, str] = {}
    for line in client.files.content(batch.output_file_id).text.splitlines():
        row = json.loads(line)
        out[row["custom_id"]] = row["response"]["body"]["choices"][0]["message"]["content"]
    return out
`
        : `/**
 * Submit ${base} through the OpenAI Batch API (50% cheaper, results within 24 hours). Scaffolded by costlens.
 * Run it as a job: build one request per item, submit, then poll and read the results file.
 * Docs: https://platform.openai.com/docs/guides/batch
 */
import OpenAI, { toFile } from 'openai';

const client = new OpenAI();
const MODEL = '${model}';

export async function submit(items${ts ? ': Array<{ id: string; messages: OpenAI.ChatCompletionMessageParam[] }>' : ''})${ts ? ': Promise<string>' : ''} {
  const lines = items.map((item) =>
    JSON.stringify({ custom_id: item.id, method: 'POST', url: '/v1/chat/completions', body: { model: MODEL, messages: item.messages } }),
  );
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\\n')), 'batch.jsonl'), purpose: 'batch' });
  const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  return batch.id;
}

export async function results(batchId${ts ? ': string' : ''}, pollMs = 60_000)${ts ? ': Promise<Map<string, string>>' : ''} {
  let batch = await client.batches.retrieve(batchId);
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
    await new Promise((r) => setTimeout(r, pollMs));
    batch = await client.batches.retrieve(batchId);
  }
  if (batch.status !== 'completed' || !batch.output_file_id) throw new Error(\`batch \${batchId} ended with status \${batch.status}\`);
  const text = await (await client.files.content(batch.output_file_id)).text();
  const out = new Map${ts ? '<string, string>' : ''}();
  for (const line of text.split('\\n').filter(Boolean)) {
    const row = JSON.parse(line);
    out.set(row.custom_id, row.response.body.choices[0].message.content);
  }
  return out;
}
`,
    };
  }
  if (provider === 'anthropic') {
    return {
      file,
      content: py
        ? `"""Submit ${base} through the Anthropic Message Batches API (50% cheaper, most batches finish within an hour,
all within 24 hours). Scaffolded by costlens. Docs: https://docs.anthropic.com/en/docs/build-with-claude/batch-processing
"""
import time

import anthropic

client = anthropic.Anthropic()
MODEL = "${model}"


def submit(items: list[dict], max_tokens: int = 1024) -> str:
    """items: [{"id": ..., "messages": [...], "system": optional}] -> batch id."""
    requests = [
        {"custom_id": str(item["id"]),
         "params": {"model": MODEL, "max_tokens": max_tokens, "messages": item["messages"],
                    **({"system": item["system"]} if item.get("system") else {})}}
        for item in items
    ]
    return client.messages.batches.create(requests=requests).id


def results(batch_id: str, poll_seconds: int = 60) -> dict[str, str]:
    """Waits for the batch and returns {custom_id: reply text} for the requests that succeeded."""
    while client.messages.batches.retrieve(batch_id).processing_status != "ended":
        time.sleep(poll_seconds)
    out: dict[str, str] = {}
    for entry in client.messages.batches.results(batch_id):
        if entry.result.type == "succeeded":
            out[entry.custom_id] = entry.result.message.content[0].text
    return out
`
        : `/**
 * Submit ${base} through the Anthropic Message Batches API (50% cheaper, all results within 24 hours).
 * Scaffolded by costlens. Docs: https://docs.anthropic.com/en/docs/build-with-claude/batch-processing
 */
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic();
const MODEL = '${model}';

export async function submit(items${ts ? ': Array<{ id: string; messages: Anthropic.MessageParam[]; system?: string }>' : ''}, maxTokens = 1024)${ts ? ': Promise<string>' : ''} {
  const batch = await client.messages.batches.create({
    requests: items.map((item) => ({
      custom_id: item.id,
      params: { model: MODEL, max_tokens: maxTokens, messages: item.messages, ...(item.system ? { system: item.system } : {}) },
    })),
  });
  return batch.id;
}

export async function results(batchId${ts ? ': string' : ''}, pollMs = 60_000)${ts ? ': Promise<Map<string, string>>' : ''} {
  while ((await client.messages.batches.retrieve(batchId)).processing_status !== 'ended') {
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const out = new Map${ts ? '<string, string>' : ''}();
  for await (const entry of await client.messages.batches.results(batchId)) {
    if (entry.result.type === 'succeeded' && entry.result.message.content[0]?.type === 'text') out.set(entry.custom_id, entry.result.message.content[0].text);
  }
  return out;
}
`,
    };
  }
  if (provider === 'google' && py) {
    return {
      file,
      content: `"""Submit ${base} through the Gemini Batch API (50% cheaper, results within 24 hours). Scaffolded by costlens.
Docs: https://ai.google.dev/gemini-api/docs/batch-mode
"""
import time

from google import genai

client = genai.Client()
MODEL = "${model}"


def submit(prompts: list[str]) -> str:
    """Inline requests (up to 20 MB in total); returns the batch job name."""
    job = client.batches.create(
        model=MODEL,
        src=[{"contents": [{"parts": [{"text": p}], "role": "user"}]} for p in prompts],
        config={"display_name": "${base}"},
    )
    return job.name


def results(job_name: str, poll_seconds: int = 60) -> list[str]:
    done = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
    while (job := client.batches.get(name=job_name)).state.name not in done:
        time.sleep(poll_seconds)
    if job.state.name != "JOB_STATE_SUCCEEDED":
        raise RuntimeError(f"batch {job_name} ended with {job.state.name}")
    return [r.response.text if r.response else "" for r in job.dest.inlined_responses]
`,
    };
  }
  return null;
}

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\W+/g, '_').toLowerCase();
}

function pascal(s: string): string {
  return s.replace(/(^|_|\W)+(\w)/g, (_m, _a, c: string) => c.toUpperCase()).replace(/\W/g, '');
}
