#!/usr/bin/env node
/**
 * Verify a credential with the Digital Bazaar stack, offline.
 *
 * Usage:
 *   node tests/verifiers/verify.mjs [request.json]   (stdin when no file or "-")
 *   node tests/verifiers/verify.mjs --contexts       (print the pinned contexts)
 *
 * Request: {"credential": {...}, "documents": {url: document, ...}, "now": "ISO date"}
 * ("documents" and "now" optional; a JSON array of requests gives an array of
 * results). Result, printed as JSON on stdout:
 *
 *   {"verified": bool,          signature, issuer and status all good
 *    "signature_ok": bool,      the proof value checks against the key
 *    "issuer_ok": bool,         the key is an assertionMethod of the issuer
 *    "library_verified": bool,  what @digitalbazaar/vc itself answered
 *    "status": {"checked", "valid", "revoked", "suspended", "entries": [...]},
 *    "errors": [str, ...]}
 *
 * @digitalbazaar/vc answers verified: true for a revoked credential (the
 * status check "verified" means "the list was read and checks out", the bit is
 * in `status`), so "verified" here also requires no status bit to be set.
 *
 * Exit codes: 0 a result was printed (verified or not); 2 the request itself
 * is unusable (not JSON, no credential...), with {"request_error": ...}.
 */
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {forbidNetwork, makeDocumentLoader, OfflineLoaderError, PINNED_CONTEXTS} from './loader.mjs';

class RequestError extends Error {}

const REQUEST_KEYS = new Set(['credential', 'documents', 'now', 'description']);

function errorMessages(error, into = []) {
  if (!error) {
    return into;
  }
  const nested = Array.isArray(error.errors) ? error.errors : [];
  // A VerificationError only wraps its `errors`; report those instead.
  if (error.name !== 'VerificationError' || nested.length === 0) {
    const message = error.message || String(error);
    if (!into.includes(message)) {
      into.push(message);
    }
  }
  for (const inner of nested) {
    errorMessages(inner, into);
  }
  // jsonld keeps the loader's own error under `details.cause`.
  for (const cause of [error.cause, error.details?.cause]) {
    if (cause && cause !== error) {
      errorMessages(cause, into);
    }
  }
  return into;
}

function statusEntries(credential) {
  return [].concat(credential.credentialStatus ?? []);
}

function hasBitstringStatus(credential) {
  return statusEntries(credential).some(entry => entry?.type === 'BitstringStatusListEntry');
}

const DATA_INTEGRITY_V1_CONTEXT_URL = 'https://w3id.org/security/data-integrity/v1';

/**
 * The eddsa-rdfc-2022 suite for this credential.
 *
 * A credential that brings the legacy data integrity v1 context (VC v1
 * credentials such as the 1EdTech test vector) needs the suite in legacy mode:
 * otherwise the suite adds the v2 context when canonicalising the proof, which
 * redefines v1's protected terms and fails.
 */
function suiteFor(credential) {
  const contexts = [].concat(credential['@context'] ?? []);
  const legacyContext = contexts.includes(DATA_INTEGRITY_V1_CONTEXT_URL);
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite, legacyContext});
}

/** Verify one request; never throws for a bad credential, only for a bad request. */
export async function verifyRequest(request) {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new RequestError('A request must be a JSON object with a "credential".');
  }
  const unknown = Object.keys(request).filter(key => !REQUEST_KEYS.has(key));
  if (unknown.length) {
    throw new RequestError(`Unknown request keys: ${unknown.join(', ')}.`);
  }
  const {credential, documents = {}, now} = request;
  if (typeof credential !== 'object' || credential === null || Array.isArray(credential)) {
    throw new RequestError('"credential" must be a JSON object.');
  }
  if (now !== undefined && (typeof now !== 'string' || Number.isNaN(Date.parse(now)))) {
    throw new RequestError('"now" must be an ISO 8601 date-time string.');
  }
  let documentLoader;
  try {
    documentLoader = makeDocumentLoader(documents);
  } catch (error) {
    throw new RequestError(error.message);
  }

  const suite = suiteFor(credential);
  const status = {checked: false, valid: null, revoked: null, suspended: null, entries: []};
  let statusResult = null;

  async function checkStatus(options) {
    if (!hasBitstringStatus(options.credential)) {
      return {
        verified: false,
        error: new Error('Only credentialStatus of type BitstringStatusListEntry can be checked.'),
      };
    }
    statusResult = await checkBitstringStatus(options);
    return statusResult;
  }

  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus,
    ...(now ? {now} : {}),
  });

  const proofResults = result.results ?? [];
  // A proof whose signature checked out but whose purpose failed still has a purposeResult.
  const signatureOk = proofResults.some(r => r.verified || r.purposeResult !== undefined);
  const issuerOk = proofResults.some(r => r.verified);

  const errors = [];
  errorMessages(result.error, errors);
  for (const r of proofResults) {
    errorMessages(r.error, errors);
  }

  if (statusResult) {
    status.checked = statusResult.verified === true;
    errorMessages(statusResult.error, errors);
    for (const r of statusResult.results ?? []) {
      errorMessages(r.error, errors);
      if (r.credentialStatus) {
        const {statusPurpose, statusListCredential, statusListIndex} = r.credentialStatus;
        status.entries.push({statusPurpose, statusListCredential, statusListIndex, set: r.status === true});
      }
    }
    if (status.checked) {
      const setFor = purpose => status.entries.some(e => e.statusPurpose === purpose && e.set);
      status.revoked = setFor('revocation');
      status.suspended = setFor('suspension');
      status.valid = !status.revoked && !status.suspended;
      if (status.revoked) {
        errors.push('The credential is revoked: its bit in the status list is set.');
      }
      if (status.suspended) {
        errors.push('The credential is suspended: its bit in the status list is set.');
      }
    }
  } else if (result.statusResult) {
    errorMessages(result.statusResult.error, errors);
  }

  const libraryVerified = result.verified === true;
  const statusOk = credential.credentialStatus === undefined || status.valid === true;
  return {
    verified: libraryVerified && signatureOk && issuerOk && statusOk,
    signature_ok: signatureOk,
    issuer_ok: issuerOk,
    library_verified: libraryVerified,
    status,
    errors,
  };
}

function readInput(argument) {
  if (argument === undefined || argument === '-') {
    return readFileSync(0, 'utf8');
  }
  return readFileSync(argument, 'utf8');
}

async function main(argv) {
  forbidNetwork();
  if (argv[0] === '--contexts') {
    process.stdout.write(JSON.stringify(Object.fromEntries(PINNED_CONTEXTS)) + '\n');
    return 0;
  }
  try {
    let request;
    try {
      request = JSON.parse(readInput(argv[0]));
    } catch (error) {
      throw new RequestError(`The request is not valid JSON: ${error.message}`);
    }
    const output = Array.isArray(request) ?
      await Promise.all(request.map(verifyRequest)) :
      await verifyRequest(request);
    process.stdout.write(JSON.stringify(output) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof RequestError || error instanceof OfflineLoaderError || error.code === 'ENOENT') {
      process.stdout.write(JSON.stringify({verified: false, request_error: error.message}) + '\n');
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
