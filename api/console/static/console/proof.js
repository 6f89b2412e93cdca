// Checking a journal proof in the browser, so an inspector need not trust the server that served
// the page: the same rules as ledger/journal/merkle.py and verify_proof.py, computed here with
// the browser's own Web Crypto (SHA-256, and Ed25519 for the checkpoint's signature).
//
// RFC 6962: leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); the
// audit path is walked as RFC 9162 section 2.1.3.2 says, and the root it gives must be the root
// of the signed checkpoint. The checkpoint's body signed with Ed25519 is
// "claims-ledger checkpoint v1\n<size>\n<root hex>\n<time>\n".
//
// Web Crypto exists only in a secure context (a page served over HTTPS, or from this computer):
// elsewhere nothing can be checked, and checkProof says so rather than pretending.
"use strict";

(function (global) {
  var HEADER = "claims-ledger checkpoint v1";
  var KEY_PREFIX = "ed25519:";

  function subtle() {
    return global.crypto && global.isSecureContext !== false ? global.crypto.subtle : undefined;
  }

  function hexToBytes(hex) {
    if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw new Error("not a hexadecimal string: " + String(hex).slice(0, 20));
    }
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) {
      out[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return out;
  }

  function bytesToHex(bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function base64ToBytes(text) {
    var raw = global.atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  function concat(parts) {
    var length = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(length);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) {
      return false;
    }
    var diff = 0;
    for (var i = 0; i < a.length; i++) {
      diff |= a[i] ^ b[i];
    }
    return diff === 0;
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle().digest("SHA-256", bytes));
  }

  function leafHash(data) {
    return sha256(concat([new Uint8Array([0]), data]));
  }

  function nodeHash(left, right) {
    return sha256(concat([new Uint8Array([1]), left, right]));
  }

  // RFC 9162 2.1.3.2. Halving by division, not by bit shifts: JavaScript's shifts work on 32
  // bits, and a log may one day be longer than that.
  async function verifyInclusion(index, size, leaf, path, root) {
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0
        || index >= size) {
      return false;
    }
    var fn = index;
    var sn = size - 1;
    var current = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) {
        return false;
      }
      if (fn % 2 === 1 || fn === sn) {
        current = await nodeHash(path[i], current);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        current = await nodeHash(current, path[i]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(current, root);
  }

  function parseCheckpoint(text) {
    var lines = String(text).trim().split(/\r?\n/).map(function (l) { return l.trim(); });
    if (lines[0] !== HEADER) {
      throw new Error("not a " + HEADER + " text");
    }
    var fields = {};
    lines.slice(1).forEach(function (line) {
      var space = line.indexOf(" ");
      if (space > 0) {
        fields[line.slice(0, space)] = line.slice(space + 1);
      }
    });
    ["size", "root", "time", "key", "signature"].forEach(function (name) {
      if (!(name in fields)) {
        throw new Error("the checkpoint has no " + name);
      }
    });
    if (!/^[0-9]+$/.test(fields.size)) {
      throw new Error("the checkpoint's size is not a number");
    }
    return {
      size: Number(fields.size),
      root: fields.root.toLowerCase(),
      time: fields.time,
      key: fields.key,
      signature: fields.signature,
      body: HEADER + "\n" + fields.size + "\n" + fields.root.toLowerCase() + "\n"
        + fields.time + "\n",
    };
  }

  // true: signed by that key; false: not; null: this browser cannot verify Ed25519.
  async function verifySignature(checkpoint) {
    if (checkpoint.key.indexOf(KEY_PREFIX) !== 0) {
      return false;
    }
    var key;
    try {
      key = await subtle().importKey("raw", base64ToBytes(checkpoint.key.slice(KEY_PREFIX.length)),
        { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      if (error && error.name === "NotSupportedError") {
        return null;
      }
      return false;
    }
    try {
      return await subtle().verify({ name: "Ed25519" }, key, base64ToBytes(checkpoint.signature),
        new TextEncoder().encode(checkpoint.body));
    } catch (error) {
      return false;
    }
  }

  // A proof as the API and 'journal prove' give it (position, leaf_index, leaf_hash, tree_size,
  // root, proof, checkpoint), checked against a public key the inspector trusts (given by
  // them, not by this page). Answers {checked, ok, inclusion, signature, reason}.
  async function checkProof(proof, trustedKey) {
    if (!subtle()) {
      return { checked: false, ok: false, inclusion: null, signature: null,
        reason: "this page is not in a secure context (HTTPS, or this computer), so the "
          + "browser offers no Web Crypto: the proof was NOT checked" };
    }
    var checkpoint;
    try {
      checkpoint = parseCheckpoint(proof.checkpoint);
    } catch (error) {
      return { checked: true, ok: false, inclusion: null, signature: null,
        reason: error.message };
    }
    var signature = null;
    if (trustedKey) {
      signature = trustedKey === checkpoint.key ? await verifySignature(checkpoint) : false;
    }
    if (Number(proof.tree_size) !== checkpoint.size
        || String(proof.root).toLowerCase() !== checkpoint.root) {
      return { checked: true, ok: false, inclusion: false, signature: signature,
        reason: "the proof names another tree than its checkpoint" };
    }
    var inclusion;
    try {
      inclusion = await verifyInclusion(Number(proof.leaf_index), checkpoint.size,
        hexToBytes(proof.leaf_hash), proof.proof.map(hexToBytes), hexToBytes(checkpoint.root));
    } catch (error) {
      return { checked: true, ok: false, inclusion: false, signature: signature,
        reason: error.message };
    }
    var reason;
    if (!inclusion) {
      reason = "the audit path does not lead to the checkpoint's root";
    } else if (signature === false) {
      reason = "the checkpoint is not signed by the trusted key";
    } else if (signature === null && trustedKey) {
      reason = "the event is in the tree, but this browser cannot verify Ed25519 signatures";
    } else if (!trustedKey) {
      reason = "the event is in the tree of the checkpoint; give the trusted public key to "
        + "check the checkpoint's signature";
    } else {
      reason = "event at position " + proof.position + " is leaf " + proof.leaf_index
        + " of the " + checkpoint.size + "-event checkpoint signed at " + checkpoint.time;
    }
    return { checked: true, ok: inclusion && signature === true, inclusion: inclusion,
      signature: signature, reason: reason };
  }

  global.claimsLedgerProof = {
    checkProof: checkProof,
    verifyInclusion: verifyInclusion,
    verifySignature: verifySignature,
    parseCheckpoint: parseCheckpoint,
    leafHash: leafHash,
    nodeHash: nodeHash,
    hexToBytes: hexToBytes,
    bytesToHex: bytesToHex,
  };
})(window);
