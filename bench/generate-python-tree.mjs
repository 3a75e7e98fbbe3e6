#!/usr/bin/env node
// Generates a large, deterministic Python code base for the scan benchmark: services with models, views, tasks,
// repositories, utilities, tests, settings and scripts. Most files make no LLM call; about 3% do (OpenAI, Anthropic,
// LangChain, LiteLLM, Google GenAI, Bedrock, raw HTTP), with models from literals, package constants, pydantic
// settings and os.getenv defaults; about 8% of the others contain words that the pre-filter cannot tell from an SDK
// call (`.stream(`, `invoke(`, `.batch(`, `send_message`, `completion(` ...), as real code does.
//
//   node bench/generate-python-tree.mjs --out DIR [--files 24000] [--seed 42]
//   import { generatePythonTree, generateLargeModule } from './generate-python-tree.mjs'
//
// The same seed and file count always produce the same bytes (mulberry32 PRNG, no Date, no Math.random).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    weighted(entries) {
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of entries) {
        r -= w;
        if (r < 0) return value;
      }
      return entries[entries.length - 1][0];
    },
  };
}

const DOMAINS = ['billing', 'accounts', 'inventory', 'search', 'notifications', 'reports', 'analytics', 'auth', 'orders', 'shipping', 'catalog', 'support', 'payments', 'ingest', 'etl', 'pricing', 'profiles', 'audit', 'scheduling', 'media', 'geo', 'messaging', 'recommendations', 'fraud', 'ledger', 'warehouse', 'onboarding', 'compliance', 'exports', 'webhooks'];
const NOUNS = ['customer', 'invoice', 'order', 'item', 'account', 'user', 'ticket', 'report', 'event', 'payment', 'shipment', 'product', 'session', 'record', 'batch_job', 'document', 'message', 'plan', 'quota', 'tenant', 'address', 'refund', 'coupon', 'review', 'asset', 'upload', 'metric', 'alert', 'rule', 'segment'];
const VERBS = ['load', 'save', 'build', 'compute', 'validate', 'normalize', 'render', 'sync', 'fetch', 'apply', 'resolve', 'merge', 'split', 'export', 'import_rows', 'refresh', 'archive', 'notify', 'score', 'dedupe', 'enrich', 'format', 'parse', 'reconcile', 'schedule'];
const ADJ = ['active', 'pending', 'stale', 'primary', 'default', 'cached', 'raw', 'clean', 'daily', 'monthly', 'partial', 'remote', 'local', 'legacy', 'current'];
const STDLIB = ['os', 'sys', 'json', 'logging', 're', 'time', 'math', 'uuid', 'hashlib', 'itertools', 'functools', 'collections', 'datetime', 'decimal', 'pathlib', 'typing', 'dataclasses', 'enum', 'csv', 'io', 'contextlib', 'asyncio', 'threading', 'random', 'base64', 'urllib.parse', 'textwrap', 'shutil', 'tempfile', 'statistics'];
const THIRD = [
  'import requests',
  'import numpy as np',
  'import pandas as pd',
  'import redis',
  'import boto3',
  'import httpx',
  'from sqlalchemy import Column, Integer, String, DateTime, ForeignKey',
  'from sqlalchemy.orm import Session, relationship',
  'from pydantic import BaseModel, Field',
  'from fastapi import APIRouter, Depends, HTTPException',
  'from flask import Blueprint, jsonify, request',
  'from django.db import models',
  'from celery import shared_task',
  'import structlog',
  'import yaml',
  'from tenacity import retry, stop_after_attempt',
  'import click',
  'from dateutil import parser as dateparser',
];

const cap = (s) => s.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());

/** Generic words that the SDK marker regex matches in code that calls no model. */
const LOOKALIKES = [
  (r) => [`def stream_${r.pick(NOUNS)}s(self, cursor):`, `    for chunk in cursor.stream(size=${r.int(10, 500)}):`, '        yield chunk', ''],
  (r) => [`def dispatch(handler, event):`, `    """Run the registered handler for an event."""`, '    return handler.invoke(event)', ''],
  (r) => [`def flush_${r.pick(NOUNS)}s(queue):`, `    return queue.batch(max_items=${r.int(10, 200)})`, ''],
  (r) => [`def notify_channel(slack, channel, text):`, '    return slack.send_message(channel=channel, text=text)', ''],
  (r) => [`def suggest(prefix, index):`, `    """Autocomplete ${r.pick(NOUNS)} names."""`, '    return autocomplete.completion(prefix, index=index, limit=10)', ''],
  (r) => [`def finish(task):`, '    task.complete()', '    return task', ''],
  (r) => [`def video_embed_url(video_id):`, '    return settings.media.embed_url.format(id=video_id)', ''],
  (r) => [`def chat_room(client, room):`, '    return client.chat(room)', ''],
  (r) => [`def converse_with_${r.pick(NOUNS)}(bot, text):`, '    """Relay a message to the IVR bot; no language model involved."""', '    return bot.reply(text)', ''],
];

function header(r, doc) {
  const lines = [`"""${doc}"""`];
  const n = r.int(2, 7);
  const picked = new Set();
  for (let i = 0; i < n; i++) picked.add(r.pick(STDLIB));
  for (const m of [...picked].sort()) lines.push(m.includes('.') ? `from ${m.split('.')[0]} import ${m.split('.')[1]}` : `import ${m}`);
  if (r.chance(0.7)) lines.push('from typing import Any, Dict, Iterable, List, Optional');
  const k = r.int(0, 3);
  for (let i = 0; i < k; i++) lines.push(r.pick(THIRD));
  lines.push('');
  return lines;
}

function localImports(r, ctx) {
  const out = [];
  const n = r.int(0, 3);
  for (let i = 0; i < n; i++) {
    const sibling = r.pick(ctx.siblings);
    if (!sibling || sibling === ctx.module) continue;
    out.push(`from .${sibling} import ${r.pick(VERBS)}_${r.pick(NOUNS)}`);
  }
  if (r.chance(0.3)) out.push(`from ${ctx.pkg}.config import settings`);
  if (out.length) out.push('');
  return out;
}

function helperFunction(r) {
  const verb = r.pick(VERBS);
  const noun = r.pick(NOUNS);
  const adj = r.pick(ADJ);
  const lines = [`def ${verb}_${noun}(${noun}, *, ${adj}=False, limit=${r.int(1, 1000)}):`, `    """${cap(verb)} a ${noun.replace(/_/g, ' ')} (${adj} ones only when asked)."""`];
  const body = r.int(3, 14);
  lines.push(`    result = []`);
  for (let i = 0; i < body; i++) {
    switch (r.int(0, 7)) {
      case 0:
        lines.push(`    if ${noun} is None:`, `        raise ValueError("missing ${noun}")`);
        break;
      case 1:
        lines.push(`    for idx, value in enumerate(${noun}.get("${r.pick(NOUNS)}s", [])):`, `        if idx >= limit:`, `            break`, `        result.append(value)`);
        break;
      case 2:
        lines.push(`    total = sum(x.get("amount", 0) for x in result if x)`);
        break;
      case 3:
        lines.push(`    key = f"${noun}:{${noun}.get('id')}:${adj}"`);
        break;
      case 4:
        lines.push(`    try:`, `        payload = json.loads(${noun}.get("payload") or "{}")`, `    except (TypeError, ValueError):`, `        payload = {}`);
        break;
      case 5:
        lines.push(`    mapping = {k: v for k, v in sorted(${noun}.items()) if not k.startswith("_")}`);
        break;
      case 6:
        lines.push(`    logger.debug("${verb} ${noun} %s", ${noun}.get("id"))`);
        break;
      default:
        lines.push(`    ${adj}_items = [item for item in result if item.get("status") == "${adj}"]`);
    }
  }
  lines.push(`    return result`, '');
  return lines;
}

function classBlock(r, kind) {
  const noun = r.pick(NOUNS);
  const name = `${cap(noun)}${kind}`;
  const lines = [];
  if (kind === 'Model' && r.chance(0.5)) {
    lines.push(`class ${name}(BaseModel):`, `    """A ${noun.replace(/_/g, ' ')} as the API exposes it."""`, '');
    const fields = r.int(3, 12);
    for (let i = 0; i < fields; i++) lines.push(`    ${r.pick(ADJ)}_${r.pick(NOUNS)}: ${r.pick(['str', 'int', 'float', 'bool', 'Optional[str]', 'List[str]', 'Dict[str, Any]'])}${r.chance(0.4) ? ` = ${r.pick(['None', '0', '""', 'False', 'Field(default_factory=list)'])}` : ''}`);
    lines.push('');
    return lines;
  }
  lines.push(`class ${name}:`, `    """${kind} for ${noun.replace(/_/g, ' ')}s."""`, '');
  lines.push(`    def __init__(self, db, cache=None):`, `        self.db = db`, `        self.cache = cache or {}`, `        self.log = logging.getLogger(__name__)`, '');
  const methods = r.int(2, 7);
  for (let m = 0; m < methods; m++) {
    const verb = r.pick(VERBS);
    lines.push(`    def ${verb}(self, ${noun}_id, **options):`);
    lines.push(`        cached = self.cache.get(${noun}_id)`, `        if cached is not None and not options.get("refresh"):`, `            return cached`);
    const body = r.int(1, 6);
    for (let i = 0; i < body; i++) {
      lines.push(r.pick([
        `        row = self.db.execute("SELECT * FROM ${noun}s WHERE id = %s", (${noun}_id,)).fetchone()`,
        `        self.log.info("${verb} %s", ${noun}_id)`,
        `        options.setdefault("timeout", ${r.int(1, 60)})`,
        `        value = {"id": ${noun}_id, "status": "${r.pick(ADJ)}", **options}`,
        `        if len(self.cache) > ${r.int(100, 5000)}:`,
        `            self.cache.clear()`,
      ]));
    }
    lines.push(`        self.cache[${noun}_id] = options`, `        return options`, '');
  }
  return lines;
}

function viewBlock(r, style) {
  const noun = r.pick(NOUNS);
  if (style === 'fastapi') {
    return [`@router.get("/${noun}s/{item_id}")`, `async def get_${noun}(item_id: int):`, `    item = await repository.get(item_id)`, `    if item is None:`, `        raise HTTPException(status_code=404, detail="${noun} not found")`, `    return item`, ''];
  }
  if (style === 'flask') {
    return [`@bp.route("/${noun}s", methods=["POST"])`, `def create_${noun}():`, `    data = request.get_json(force=True)`, `    return jsonify(service.create(data)), 201`, ''];
  }
  return [`@shared_task(bind=True, max_retries=3)`, `def ${r.pick(VERBS)}_${noun}_task(self, ${noun}_id):`, `    try:`, `        return service.${r.pick(VERBS)}(${noun}_id)`, `    except Exception as exc:`, `        raise self.retry(exc=exc, countdown=30)`, ''];
}

function testBlock(r) {
  const noun = r.pick(NOUNS);
  const verb = r.pick(VERBS);
  return [`def test_${verb}_${noun}_${r.int(1, 99)}(tmp_path):`, `    data = {"id": ${r.int(1, 9999)}, "status": "${r.pick(ADJ)}"}`, `    result = ${verb}_${noun}(data)`, `    assert result is not None`, `    assert isinstance(result, list)`, ''];
}

// ------------------------------------------------------------------ files that call a model

const OPENAI_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o4-mini', 'gpt-5-mini'];
const ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku-latest', 'claude-opus-4-1'];

function modelExpr(r, models, ctx, lines) {
  switch (r.int(0, 3)) {
    case 0:
      return `"${r.pick(models)}"`;
    case 1: {
      const name = `${r.pick(['CHAT', 'SUMMARY', 'TRIAGE', 'DRAFT', 'CLASSIFY'])}_MODEL`;
      lines.push(`${name} = "${r.pick(models)}"`, '');
      return name;
    }
    case 2:
      ctx.importsLlmSettings = true;
      return `llm_settings.${r.pick(['chat_model', 'summary_model', 'fast_model'])}`;
    default:
      return `os.getenv("${ctx.pkg.toUpperCase().replace(/\W/g, '_')}_MODEL", "${r.pick(models)}")`;
  }
}

function llmFile(r, ctx) {
  const noun = r.pick(NOUNS);
  const body = [];
  const pre = [];
  const kind = r.weighted([
    ['openai', 30],
    ['openai-async', 10],
    ['anthropic', 15],
    ['langchain', 12],
    ['litellm', 8],
    ['genai', 7],
    ['embeddings', 8],
    ['bedrock', 5],
    ['http', 5],
  ]);
  const imports = ['import os', 'import logging', ''];
  const loop = r.chance(0.15);
  const limit = r.chance(0.6) ? r.int(50, 2000) : null;
  switch (kind) {
    case 'openai': {
      imports.push('from openai import OpenAI');
      const model = modelExpr(r, OPENAI_MODELS, ctx, pre);
      body.push('client = OpenAI()', '');
      body.push(`def ${r.pick(VERBS)}_${noun}(text: str) -> str:`, `    """Ask the model about a ${noun.replace(/_/g, ' ')}."""`);
      if (loop) body.push('    answers = []', '    for part in text.split("\\n\\n"):', `        r = client.chat.completions.create(model=${model}, messages=[{"role": "user", "content": part}]${limit ? `, max_tokens=${limit}` : ''})`, '        answers.append(r.choices[0].message.content)', '    return "\\n".join(answers)', '');
      else body.push(`    response = client.chat.completions.create(`, `        model=${model},`, `        messages=[`, `            {"role": "system", "content": "You summarise ${noun.replace(/_/g, ' ')} records for the support team."},`, `            {"role": "user", "content": text},`, `        ],`, ...(limit ? [`        max_tokens=${limit},`] : []), `    )`, `    return response.choices[0].message.content`, '');
      break;
    }
    case 'openai-async': {
      imports.push('from openai import AsyncOpenAI', 'from fastapi import APIRouter', '');
      const model = modelExpr(r, OPENAI_MODELS, ctx, pre);
      body.push('router = APIRouter()', 'client = AsyncOpenAI()', '');
      body.push(`@router.post("/${noun}s/answer")`, `async def answer_${noun}(question: str):`, `    result = await client.responses.create(model=${model}, input=question${limit ? `, max_output_tokens=${limit}` : ''})`, `    return {"answer": result.output_text}`, '');
      break;
    }
    case 'anthropic': {
      imports.push('import anthropic');
      const model = modelExpr(r, ANTHROPIC_MODELS, ctx, pre);
      body.push('claude = anthropic.Anthropic()', '');
      body.push(`class ${cap(noun)}Summarizer:`, `    def summarize(self, text):`, `        message = claude.messages.create(`, `            model=${model},`, `            max_tokens=${limit ?? 1024},`, `            messages=[{"role": "user", "content": f"Summarise this ${noun.replace(/_/g, ' ')}: {text}"}],`, `        )`, `        return message.content[0].text`, '');
      break;
    }
    case 'langchain': {
      imports.push('from langchain_openai import ChatOpenAI', 'from langchain_core.prompts import ChatPromptTemplate');
      const model = modelExpr(r, OPENAI_MODELS, ctx, pre);
      body.push(`llm = ChatOpenAI(model=${model}, temperature=0${limit ? `, max_tokens=${limit}` : ''})`, `prompt = ChatPromptTemplate.from_messages([("system", "Classify the ${noun.replace(/_/g, ' ')}."), ("user", "{text}")])`, 'chain = prompt | llm', '');
      body.push(`def classify_${noun}(text):`, `    return chain.invoke({"text": text}).content`, '');
      break;
    }
    case 'litellm': {
      imports.push('from litellm import completion');
      const model = modelExpr(r, OPENAI_MODELS, ctx, pre);
      body.push(`def draft_${noun}(notes):`, `    response = completion(model=${model}, messages=[{"role": "user", "content": notes}])`, `    return response["choices"][0]["message"]["content"]`, '');
      break;
    }
    case 'genai': {
      imports.push('from google import genai');
      body.push('gclient = genai.Client()', '');
      body.push(`def tag_${noun}(text):`, `    result = gclient.models.generate_content(model="${r.pick(['gemini-2.5-flash', 'gemini-2.0-flash', 'gemini-2.5-pro'])}", contents=text)`, `    return result.text`, '');
      break;
    }
    case 'embeddings': {
      imports.push('from openai import OpenAI');
      body.push('client = OpenAI()', '');
      body.push(`def embed_${noun}s(texts):`, `    response = client.embeddings.create(model="${r.pick(['text-embedding-3-small', 'text-embedding-3-large'])}", input=texts)`, `    return [d.embedding for d in response.data]`, '');
      break;
    }
    case 'bedrock': {
      imports.push('import boto3');
      body.push('bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")', '');
      body.push(`def ask_${noun}(text):`, `    response = bedrock.converse(`, `        modelId="anthropic.claude-3-5-haiku-20241022-v1:0",`, `        messages=[{"role": "user", "content": [{"text": text}]}],`, `        inferenceConfig={"maxTokens": ${limit ?? 512}},`, `    )`, `    return response["output"]["message"]["content"][0]["text"]`, '');
      break;
    }
    default: {
      imports.push('import requests');
      body.push(`def raw_${noun}(text):`, `    r = requests.post(`, `        "https://api.openai.com/v1/chat/completions",`, `        headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"},`, `        json={"model": "${r.pick(OPENAI_MODELS)}", "messages": [{"role": "user", "content": text}]},`, `        timeout=30,`, `    )`, `    return r.json()["choices"][0]["message"]["content"]`, '');
    }
  }
  if (ctx.importsLlmSettings) imports.push(`from ${ctx.pkg}.llm_settings import llm_settings`);
  const lines = [`"""${cap(noun)} assistance backed by a language model."""`, ...imports, '', 'logger = logging.getLogger(__name__)', '', ...pre, ...body];
  // Ordinary code around the call, as in a real module.
  const extra = r.int(1, 5);
  for (let i = 0; i < extra; i++) lines.push(...helperFunction(r));
  return lines;
}

function llmSettingsFile(r) {
  return [
    '"""Which models this package uses (overridable from the environment)."""',
    'from pydantic_settings import BaseSettings',
    '',
    '',
    'class LlmSettings(BaseSettings):',
    `    chat_model: str = "${r.pick(OPENAI_MODELS)}"`,
    `    summary_model: str = "${r.pick(OPENAI_MODELS)}"`,
    `    fast_model: str = "${r.pick(OPENAI_MODELS)}"`,
    '    request_timeout: float = 30.0',
    '',
    '',
    'llm_settings = LlmSettings()',
    '',
  ];
}

function ordinaryFile(r, ctx, kind) {
  const doc = `${cap(r.pick(VERBS))} ${ctx.domain} ${kind}.`;
  const lines = [...header(r, doc), ...localImports(r, ctx), 'logger = logging.getLogger(__name__)', ''];
  const blocks = r.int(1, kind === 'settings' ? 2 : 9);
  if (kind === 'views') lines.push(r.chance(0.5) ? 'router = APIRouter()' : 'bp = Blueprint(__name__, __name__)', '');
  for (let i = 0; i < blocks; i++) {
    switch (kind) {
      case 'models':
        lines.push(...classBlock(r, 'Model'));
        break;
      case 'repository':
      case 'service':
        lines.push(...classBlock(r, kind === 'service' ? 'Service' : 'Repository'));
        break;
      case 'views':
        lines.push(...viewBlock(r, r.pick(['fastapi', 'flask'])));
        break;
      case 'tasks':
        lines.push(...viewBlock(r, 'celery'));
        break;
      case 'tests':
        lines.push(...testBlock(r));
        break;
      case 'settings':
        for (let k = 0; k < r.int(4, 20); k++) lines.push(`${r.pick(ADJ).toUpperCase()}_${r.pick(NOUNS).toUpperCase()}_${r.pick(['TTL', 'LIMIT', 'URL', 'ENABLED', 'RETRIES'])} = ${r.pick(['30', '100', 'True', 'False', '"redis://localhost:6379/0"', 'os.getenv("X", "1")'])}`);
        lines.push('');
        break;
      default:
        lines.push(...helperFunction(r));
    }
  }
  if (r.chance(0.08)) lines.push(...r.pick(LOOKALIKES)(r));
  if (kind === 'script') lines.push('if __name__ == "__main__":', `    main = ${r.pick(VERBS)}_${r.pick(NOUNS)}`, '    main({})', '');
  return lines;
}

/**
 * Writes `files` Python files under `out` and returns what was written. `llmShare` of the files call a model.
 */
export function generatePythonTree({ out, files = 24000, seed = 42, llmShare = 0.03 }) {
  const r = rng(seed);
  fs.mkdirSync(out, { recursive: true });
  let written = 0;
  let llm = 0;
  let bytes = 0;
  const write = (rel, lines) => {
    const abs = path.join(out, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const text = `${lines.join('\n')}\n`;
    fs.writeFileSync(abs, text);
    // Fixed modification times: the tree is byte- and stamp-identical across runs.
    fs.utimesSync(abs, 1_700_000_000, 1_700_000_000);
    written++;
    bytes += text.length;
  };
  const KINDS = [
    ['models', 12],
    ['service', 14],
    ['repository', 8],
    ['views', 10],
    ['tasks', 7],
    ['utils', 16],
    ['tests', 18],
    ['settings', 4],
    ['script', 3],
  ];
  let service = 0;
  while (written < files) {
    const domain = r.pick(DOMAINS);
    const pkg = `${domain}_${service++}`;
    const top = r.pick(['services', 'apps', 'libs', 'platform']);
    const base = `${top}/${pkg}`;
    const modules = [];
    const count = Math.min(r.int(12, 60), files - written);
    for (let i = 0; i < count; i++) {
      const kind = r.weighted(KINDS);
      const sub = r.chance(0.35) ? `${r.pick(['core', 'api', 'jobs', 'domain', 'adapters', 'tests'])}/` : '';
      const module = `${kind === 'tests' ? 'test_' : ''}${r.pick(VERBS)}_${r.pick(NOUNS)}_${i}`;
      modules.push({ kind, rel: `${sub}${module}.py`, module });
    }
    const ctx = { pkg: `${top}.${pkg}`, domain, siblings: modules.map((m) => m.module), module: '', importsLlmSettings: false };
    const wantsSettings = [];
    write(`${base}/__init__.py`, [`"""${cap(domain)} service."""`, '']);
    for (const m of modules) {
      if (written >= files) break;
      ctx.module = m.module;
      ctx.importsLlmSettings = false;
      if (r.chance(llmShare)) {
        write(`${base}/${m.rel}`, llmFile(r, ctx));
        llm++;
        if (ctx.importsLlmSettings) wantsSettings.push(true);
      } else write(`${base}/${m.rel}`, ordinaryFile(r, ctx, m.kind));
    }
    // Package config modules that LLM files import.
    if (written < files) write(`${base}/config.py`, ordinaryFile(r, ctx, 'settings'));
    if (wantsSettings.length && written < files) write(`${base}/llm_settings.py`, llmSettingsFile(r));
  }
  return { files: written, llmFiles: llm, bytes };
}

/**
 * One long module (`lines` lines, a few LLM calls among ordinary code): the file the incremental benchmark edits.
 */
export function generateLargeModule({ lines = 2000, seed = 7 } = {}) {
  const r = rng(seed);
  const ctx = { pkg: 'bench', domain: 'support', siblings: ['helpers'], module: 'large_module', importsLlmSettings: false };
  const out = ['"""A large support module: ticket handling with a few model calls."""', 'import json', 'import logging', 'import os', 'from typing import Any, Dict, List, Optional', '', 'import anthropic', 'from openai import OpenAI', '', 'logger = logging.getLogger(__name__)', 'client = OpenAI()', 'claude = anthropic.Anthropic()', 'SUMMARY_MODEL = "gpt-4o-mini"', ''];
  let calls = 0;
  while (out.length < lines - 12) {
    if (calls < 6 && out.length > (calls + 1) * (lines / 7)) {
      calls++;
      if (calls % 2) out.push(`def summarize_${calls}(text):`, `    r = client.chat.completions.create(model=SUMMARY_MODEL, max_tokens=300, messages=[{"role": "user", "content": f"Summarise: {text}"}])`, '    return r.choices[0].message.content', '');
      else out.push(`def escalate_${calls}(text):`, `    m = claude.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=[{"role": "user", "content": text}])`, '    return m.content[0].text', '');
      continue;
    }
    out.push(...(r.chance(0.5) ? helperFunction(r) : classBlock(r, 'Service')));
  }
  void ctx;
  while (out.length < lines) out.push('');
  return `${out.slice(0, lines).join('\n')}\n`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const out = opt('out');
  if (!out) {
    console.error('usage: node bench/generate-python-tree.mjs --out DIR [--files 24000] [--seed 42]');
    process.exit(2);
  }
  const t0 = Date.now();
  const result = generatePythonTree({ out: path.resolve(out), files: Number(opt('files', 24000)), seed: Number(opt('seed', 42)) });
  console.log(`wrote ${result.files} Python files (${result.llmFiles} with LLM calls, ${(result.bytes / 1e6).toFixed(1)} MB) to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
