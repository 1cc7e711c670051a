/* timeline.js: the "Verify" control of each timeline entry (web/templates/timeline.html).
 *
 * Without JavaScript the controls stay hidden and a <noscript> note points to the export and
 * verify.py. Outside a secure context (plain HTTP off loopback) WebCrypto is absent: the
 * controls stay hidden and a note says that proofs need HTTPS. Otherwise a control fetches
 * /proofs/<position> (or the box's data-url: a practice's cited position, same origin, the
 * session's cookie if any), has verify.js check all of it, and
 * says the outcome in the page's language, with the words the page carries (#proof-words).
 */
"use strict";

(function () {
  const words = document.getElementById("proof-words");
  const boxes = document.querySelectorAll(".proof[data-position]");
  const Proof = globalThis.CollabProof;
  if (!words || !boxes.length || !Proof) return;
  const SHADES = { included: "ok", checking: "wait", pending: "wait" };

  function say(outcome, values) {
    let text = words.dataset[outcome] || words.dataset.format;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split(`{${name}}`).join(value);
    }
    return text;
  }

  function show(result, outcome, values, detail) {
    result.textContent = say(outcome, values);
    result.dataset.outcome = outcome;
    result.dataset.detail = detail || "";
    result.className = `proof-result proof-${SHADES[outcome] || "bad"}`;
  }

  async function fetched(box) {
    const position = box.dataset.position;
    let response;
    try {
      const where = box.dataset.url || `/proofs/${encodeURIComponent(position)}`;
      response = await fetch(where, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      throw new Proof.ProofFailure("network", String(error));
    }
    if (response.redirected) throw new Proof.ProofFailure("signedout", response.url);
    if (response.status === 503) throw new Proof.ProofFailure("pending", "HTTP 503");
    if (response.status === 404) throw new Proof.ProofFailure("missing", "HTTP 404");
    if (!response.ok) throw new Proof.ProofFailure("network", `HTTP ${response.status}`);
    try {
      return await response.json();
    } catch (error) {
      throw new Proof.ProofFailure("network", "the answer is not JSON");
    }
  }

  async function check(box) {
    const result = box.querySelector(".proof-result");
    if (box.dataset.busy) return;
    box.dataset.busy = "yes";
    show(result, "checking");
    try {
      const found = await Proof.verifyProof(await fetched(box), box.dataset);
      show(result, "included", { size: String(found.size), key: found.keyIds.join(", ") });
    } catch (error) {
      const known = error instanceof Proof.ProofFailure;
      show(result, known ? error.code : "format", {}, known ? error.message : String(error));
    } finally {
      delete box.dataset.busy;
    }
  }

  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    document.getElementById("proof-https").hidden = false;
    return;
  }
  document.getElementById("proof-help").hidden = false;
  for (const box of boxes) {
    box.querySelector("button").addEventListener("click", () => check(box));
    box.hidden = false;
  }
})();
