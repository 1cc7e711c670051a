/* verify.js: one event's place in collab's verifiable log, checked in the browser.
 *
 * It mirrors collab/audit/verify.py on a proof bundle (docs/verifiable-log.md): the C2SP
 * signed-note checkpoint and its Ed25519 signature by a key of the log's origin, the leaf's
 * canonical entry, the leaf hash SHA-256(0x00 ‖ entry) and the RFC 9162 §2.1.3.2 inclusion
 * proof up to the checkpoint's root; then, as verify.py does for an export line, the event's
 * stored bytes against the entry's state_sha256 and the event's writer signature. WebCrypto
 * hashes and verifies (it exists in secure contexts only: HTTPS, or loopback).
 *
 * A check that fails throws a ProofFailure: `code` names what failed (the page says it in
 * words), the message is verify.py's reason. Exposed as `CollabProof`.
 */
"use strict";

(function (scope) {
  const U64 = 1n << 64n;
  const JSON_INT = 2 ** 53;
  const MAX_PROOF = 64;
  const MAX_SIGNATURES = 100;
  const BUNDLE_FORMAT = "collab-audit-proof";
  const WRITER_PREFIX = "collab/writer/v1\n";
  const STRICTER =
    "stricter than the reference verifier, transparency-dev/merkle's proof package";
  const BUNDLE_KEYS = ["format", "v", "checkpoint", "leaf", "entry", "leaf_hash", "inclusion",
    "consistency"];
  const ENTRY_TYPES = {
    v: "int", origin: "str", leaf: "int", position: "int", stream: "str", version: "int",
    topic: "str", state_sha256: "str", stream_prev: "str", recorded_at: "str",
  };
  // Python's whitespace (str.isspace), which verify.py's \s and strip() mean.
  const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
    "\\u202f\\u205f\\u3000";
  const NAME = new RegExp(`^[^${SPACE}+]+$`, "u");
  const EDGES = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "gu");
  const HEX8 = /^[0-9a-f]{8}$/;
  const HEX64 = /^[0-9a-f]{64}$/;
  const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;
  const RECORDED_AT =
    /^\p{Nd}{4}-\p{Nd}\p{Nd}-\p{Nd}\p{Nd}T\p{Nd}\p{Nd}:\p{Nd}\p{Nd}:\p{Nd}\p{Nd}\.\p{Nd}{6}Z$/u;
  const CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/;
  const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const utf8 = new TextEncoder();

  class ProofFailure extends Error {
    constructor(code, reason) {
      super(reason);
      this.name = "ProofFailure";
      this.code = code;
    }
  }

  function fail(code, reason) {
    throw new ProofFailure(code, reason);
  }

  // -- Bytes ---------------------------------------------------------------------------------

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
  const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  function fromHex(text) {
    return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
  }

  /** Strict base64 (alphabet and padding, as binascii's strict mode), or null. */
  function fromBase64(text) {
    if (typeof text !== "string" || !BASE64.test(text)) return null;
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const quoted = (text) => `'${text}'`; // as Python's repr() of a plain string
  const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
  const hasKeys = (obj, keys) =>
    Object.keys(obj).length === keys.length && keys.every((k) => Object.hasOwn(obj, k));
  const wellFormed = (s) => typeof s.isWellFormed !== "function" || s.isWellFormed();

  function hexHash(value, what) {
    if (typeof value !== "string" || !HEX64.test(value)) {
      fail("format", `${what} is not a 64-digit lowercase hex hash`);
    }
    return fromHex(value);
  }

  // -- Merkle tree (RFC 9162 §2.1.3.2) --------------------------------------------------------

  function u64(n) {
    const big = typeof n === "bigint" ? n : Number.isInteger(n) ? BigInt(n) : null;
    return big !== null && big >= 0n && big < U64 ? big : null;
  }

  const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);
  const ones = (n) => n.toString(2).replaceAll("0", "").length;

  /** Why an inclusion proof fails ({code, reason}), or null: verify.py's _inclusion_problem. */
  async function inclusion(index, size, leaf, proof, root) {
    const i = u64(index);
    const n = u64(size);
    if (i === null || n === null) {
      const reason = "the leaf index and the tree size must be integers from 0 to 2**64 - 1";
      return { code: "proof", reason };
    }
    if (i >= n) return { code: "proof", reason: `leaf ${i} is not in a tree of size ${n}` };
    if (!(leaf instanceof Uint8Array) || leaf.length !== 32) {
      return { code: "leaf", reason: "the leaf hash is not 32 bytes" };
    }
    if (!(root instanceof Uint8Array) || !proof.every((p) => p instanceof Uint8Array)) {
      return { code: "format", reason: "the proof or the root is not made of byte strings" };
    }
    const inner = bitLength(i ^ (n - 1n)); // below the node where index and size-1 part
    const want = inner + ones(i >> BigInt(inner));
    if (proof.length !== want) {
      const reason = `the proof has ${proof.length} hashes; leaf ${i} of size ${n} takes ${want}`;
      return { code: "proof", reason };
    }
    let fn = i;
    let sn = n - 1n;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0n) return { code: "proof", reason: "the proof is too long" };
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) return { code: "proof", reason: "the proof is too short" };
    if (!same(r, root)) {
      const reason = root.length === 32
        ? "the proof leads to another root"
        : "the root is not 32 bytes";
      return { code: "root", reason };
    }
    const odd = proof.findIndex((p) => p.length !== 32);
    if (odd < 0) return null;
    const reason = `proof hash ${odd} is ${proof[odd].length} bytes, not 32, so refused`;
    return { code: "proof", reason: `${reason} (${STRICTER})` };
  }

  /** verify.py's inclusion_problem: the reason a proof fails, or null. Never throws. */
  async function inclusionProblem(index, size, leaf, proof, root) {
    try {
      const why = await inclusion(index, size, leaf, Array.from(proof), root);
      return why && why.reason;
    } catch (error) {
      return `malformed input (${error.name})`;
    }
  }

  // -- Keys and signed notes (C2SP signed-note, tlog-checkpoint) ------------------------------

  async function keyId(name, publicKey) {
    const digest = await sha256(concat(utf8.encode(`${name}\n`), Uint8Array.of(1), publicKey));
    return hex(digest.slice(0, 4));
  }

  /** A verifier key `<name>+<hex id>+<base64(0x01 ‖ public key)>`, imported for WebCrypto. */
  async function parseKey(text) {
    const parts = typeof text === "string" ? text.replace(EDGES, "").split("+") : [];
    const [name, id] = parts;
    const encoded = parts.slice(2).join("+"); // the base64 may hold "+" too
    if (parts.length < 3 || !NAME.test(name) || !HEX8.test(id)) {
      fail("format", "not a verifier key: expected <name>+<8 hex>+<base64>");
    }
    const raw = fromBase64(encoded);
    if (raw === null) fail("format", `verifier key ${name}+${id}: bad base64`);
    if (raw.length !== 33 || raw[0] !== 1) {
      fail("format", `verifier key ${name}+${id}: not an Ed25519 (0x01) key`);
    }
    if ((await keyId(name, raw.slice(1))) !== id) {
      fail("format", `verifier key ${name}+${id}: the key id does not match the key`);
    }
    let key;
    try {
      const algorithm = { name: "Ed25519" };
      key = await crypto.subtle.importKey("raw", raw.slice(1), algorithm, false, ["verify"]);
    } catch (error) {
      const code = error.name === "NotSupportedError" ? "unsupported" : "format";
      fail(code, `verifier key ${name}+${id}: ${error}`);
    }
    return { name, keyId: id, key };
  }

  async function signed(key, signature, message) {
    if (signature.length !== 64) return false;
    try {
      return await crypto.subtle.verify({ name: "Ed25519" }, key.key, signature, message);
    } catch (error) {
      return false;
    }
  }

  function splitNote(note) {
    if (CONTROL.test(note)) fail("checkpoint", "note holds control characters");
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0 || !note.endsWith("\n")) {
      fail("checkpoint", "not a signed note: no blank line before the signatures");
    }
    const lines = note.slice(cut + 2, -1).split("\n");
    if (lines.length > MAX_SIGNATURES) fail("checkpoint", "too many signature lines");
    const signatures = lines.map((line) => {
      const parts = line.split(" ");
      if (parts.length !== 3 || parts[0] !== "\u2014" || !NAME.test(parts[1])) {
        fail("checkpoint", "malformed signature line");
      }
      const raw = fromBase64(parts[2]);
      if (raw === null) fail("checkpoint", "malformed signature line: bad base64");
      if (raw.length < 5) fail("checkpoint", "malformed signature line: too short");
      return { name: parts[1], raw };
    });
    return { body: note.slice(0, cut + 1), signatures };
  }

  /** The checkpoint in `note` if a signature by one of `keys` named as its origin verifies:
   * verify.py's open_checkpoint. An unknown key and a bad signature are told apart. */
  async function openCheckpoint(note, keys) {
    if (typeof note !== "string") fail("checkpoint", "checkpoint is not text");
    const { body, signatures } = splitNote(note);
    const lines = body.split("\n").slice(0, -1);
    if (lines.length < 3 || !lines.every(Boolean)) {
      fail("checkpoint", "checkpoint body needs origin, size and root lines");
    }
    const [origin, sizeText, rootText] = lines;
    if (!DECIMAL.test(sizeText) || BigInt(sizeText) >= U64) {
      const reason = `checkpoint size ${quoted(sizeText)} is not a decimal without leading zeros`;
      fail("checkpoint", reason);
    }
    const root = fromBase64(rootText);
    if (root === null) fail("checkpoint", "checkpoint root is not base64");
    if (root.length !== 32 || toBase64(root) !== rootText) {
      fail("checkpoint", "checkpoint root is not a base64 32-byte hash");
    }
    const message = utf8.encode(body);
    const verified = [];
    let known = false;
    for (const { name, raw } of signatures) {
      for (const key of keys) {
        if (key.name === name && name === origin && key.keyId === hex(raw.slice(0, 4))) {
          known = true;
          if (await signed(key, raw.slice(4), message)) verified.push(key.keyId);
        }
      }
    }
    if (!verified.length) {
      const given = keys.map((k) => `${k.name}+${k.keyId}`).join(", ") || "none";
      const reason =
        `no signature by a given key of origin ${quoted(origin)} verifies (keys: ${given})`;
      fail(known ? "signature" : "key", reason);
    }
    return { origin, size: BigInt(sizeText), root, keyIds: verified };
  }

  // -- The leaf's entry -----------------------------------------------------------------------

  function canonical(entry) {
    if (Object.values(entry).some((v) => typeof v === "string" && !wellFormed(v))) return null;
    const sorted = Object.keys(entry).sort().map((k) => [k, entry[k]]);
    return JSON.stringify(Object.fromEntries(sorted));
  }

  /** The entry's fields if it is canonical and well-typed: verify.py's _read_entry. */
  function readEntry(text, origin) {
    let entry;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      fail("entry", "entry is not valid JSON");
    }
    if (!isObject(entry) || !hasKeys(entry, Object.keys(ENTRY_TYPES))) {
      fail("entry", "entry does not have exactly the documented keys");
    }
    for (const [key, kind] of Object.entries(ENTRY_TYPES)) {
      const typed = kind === "int" ? Number.isInteger(entry[key]) : typeof entry[key] === "string";
      if (!typed) fail("entry", `entry field '${key}' is not ${kind}`);
    }
    if (canonical(entry) !== text) fail("entry", "entry is not canonical JSON (RFC 8785)");
    if (entry.v !== 1) fail("entry", `entry version v=${entry.v} is not 1`);
    if (entry.origin !== origin) {
      const reason = `entry origin ${quoted(entry.origin)} is not the log's ${quoted(origin)}`;
      fail("entry", reason);
    }
    const inRange = (n, low) => low <= n && n < JSON_INT;
    if (!inRange(entry.position, 0) || !inRange(entry.version, 1)) {
      fail("entry", "entry position or version out of range");
    }
    if (!inRange(entry.leaf, 0)) fail("entry", "entry leaf out of range");
    if (!HEX64.test(entry.state_sha256)) {
      fail("entry", "entry state_sha256 is not 64 lowercase hex digits");
    }
    if (entry.stream_prev && !HEX64.test(entry.stream_prev)) {
      fail("entry", "entry stream_prev is neither empty nor 64 lowercase hex digits");
    }
    if (!RECORDED_AT.test(entry.recorded_at)) {
      fail("entry", "entry recorded_at is not YYYY-MM-DDTHH:MM:SS.ffffffZ");
    }
    return entry;
  }

  /** The entry is the one of the event the page shows (position, stream, version). */
  function sameEvent(entry, expected) {
    const shown = [Number(expected.position), expected.stream, Number(expected.version)];
    if (shown.some((v, i) => v !== [entry.position, entry.stream, entry.version][i])) {
      const { position, stream, version } = entry;
      fail("other", `the entry is position ${position} of stream ${stream}, version ${version}`);
    }
  }

  // -- The stored event (as for an export line) -----------------------------------------------

  async function storedEvent(event, entry) {
    if (event === null || event === undefined) {
      fail("event", "the stored event is missing (event is null)");
    }
    const bytes = fromBase64(event);
    if (bytes === null) fail("event", "event is not a base64 string");
    if (hex(await sha256(bytes)) !== entry.state_sha256) {
      fail("event", "stored event bytes do not match the entry's state_sha256");
    }
  }

  async function writerSignature(signature, entry, keys, origin) {
    if (signature === null || signature === undefined) {
      fail("writer", "the event has no writer signature");
    }
    if (!isObject(signature) || !hasKeys(signature, ["key_id", "value"])) {
      fail("writer", "writer signature is not {key_id, value}");
    }
    const key = keys.find((k) => k.keyId === signature.key_id && k.name === origin);
    if (!key) fail("writer", `writer signature by unknown key id ${quoted(signature.key_id)}`);
    const raw = fromBase64(signature.value);
    if (raw === null) fail("writer", "writer signature value is not base64");
    const fields = { state_sha256: entry.state_sha256, stream: entry.stream, topic: entry.topic,
      version: entry.version }; // keys in sorted order: canonical JSON (RFC 8785)
    const message = utf8.encode(WRITER_PREFIX + JSON.stringify(fields));
    if (!(await signed(key, raw, message))) {
      fail("writer", `writer signature by key ${key.keyId} does not verify over the entry`);
    }
  }

  // -- The whole answer of GET /proofs/<position> ---------------------------------------------

  async function openBundle(bundle, keys) {
    if (!isObject(bundle) || !hasKeys(bundle, BUNDLE_KEYS) || bundle.format !== BUNDLE_FORMAT ||
        bundle.v !== 1) {
      fail("format", "proof bundle does not have exactly the documented keys, v=1");
    }
    if (!Number.isSafeInteger(bundle.leaf) || bundle.leaf < 0) {
      fail("format", "bundle leaf is not a leaf number");
    }
    try {
      return await openCheckpoint(bundle.checkpoint, keys);
    } catch (error) {
      if (!(error instanceof ProofFailure)) throw error;
      fail(error.code, `the bundle's checkpoint does not verify: ${error.message}`);
    }
  }

  /** Checks a proof answer for the event `expected` ({position, stream, version}, as the
   * page shows it; entryOnly "yes": the answer carries no stored event); what it proves ({origin, size, keyIds, leaf}), or a ProofFailure. */
  async function verifyProof(answer, expected) {
    if (!isObject(answer) || !Array.isArray(answer.keys)) fail("format", "not a proof answer");
    const keys = [];
    for (const line of answer.keys) keys.push(await parseKey(line));
    const bundle = answer.bundle;
    const cp = await openBundle(bundle, keys);
    const text = bundle.entry;
    if (typeof text !== "string") fail("entry", "bundle entry is not text");
    const entry = readEntry(text, cp.origin);
    if (!wellFormed(text)) fail("entry", "bundle entry is not valid Unicode");
    const leaf = await leafHash(utf8.encode(text));
    if (entry.leaf !== bundle.leaf) {
      fail("leaf", `entry says leaf ${entry.leaf}, the bundle ${bundle.leaf}`);
    }
    if (!same(hexHash(bundle.leaf_hash, "leaf_hash"), leaf)) {
      fail("leaf", "leaf_hash is not the hash of the entry");
    }
    sameEvent(entry, expected);
    if (!Array.isArray(bundle.inclusion) || bundle.inclusion.length > MAX_PROOF) {
      fail("format", `inclusion proof is not a list of at most ${MAX_PROOF} hashes`);
    }
    const proof = bundle.inclusion.map((h) => hexHash(h, "inclusion proof hash"));
    const why = await inclusion(bundle.leaf, cp.size, leaf, proof, cp.root);
    if (why) {
      fail(why.code, `inclusion proof does not verify in a tree of size ${cp.size}: ${why.reason}`);
    }
    // A practice's reader gets the leaf entry and the writer signature, never the event's
    // bytes (DESIGN §8: publishing reveals nothing else of the partnership).
    if (expected.entryOnly !== "yes") await storedEvent(answer.event, entry);
    await writerSignature(answer.signature, entry, keys, cp.origin);
    return { origin: cp.origin, size: cp.size, keyIds: cp.keyIds, leaf: bundle.leaf };
  }

  scope.CollabProof = Object.freeze({
    ProofFailure,
    verifyProof,
    inclusionProblem,
    openCheckpoint,
    parseKey,
    readEntry,
    leafHash,
    nodeHash,
    sha256,
    fromBase64,
    hex,
  });
})(globalThis);
