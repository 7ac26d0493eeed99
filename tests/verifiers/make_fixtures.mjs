#!/usr/bin/env node
/**
 * Write the signed fixtures in tests/verifiers/fixtures/ with the Digital
 * Bazaar libraries (run once; the output is committed):
 *
 *   node tests/verifiers/make_fixtures.mjs
 *
 * Keys come from fixed seeds and Ed25519 signatures are deterministic, so a
 * rerun rewrites the same bytes. These keys sign test fixtures only.
 *
 * - didkey-ob30-with-status.json: request {credential, documents} for an
 *   Open Badges 3.0 credential (VC v2 + OB 3.0.3) issued by a did:key, with a
 *   BitstringStatusListEntry (revocation, index STATUS_INDEX); its documents
 *   hold the status list with the bit clear.
 * - status-list-clear.json / status-list-revoked.json: the signed status list
 *   credential (131,072 entries) with that bit clear / set.
 * - didkey-ob30-wrong-issuer.json: the same credential claiming the same
 *   issuer but signed (validly) by another did:key.
 * - didweb-ob30.json: a credential issued by did:web:microcred.example, with
 *   its DID document given under https://microcred.example/.well-known/did.json.
 * - keys.json: the public identifiers of those keys.
 */
import {createHash} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {forbidNetwork, makeDocumentLoader} from './loader.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SIGNED_AT = '2025-01-15T09:30:00Z';
const STATUS_LIST_URL = 'https://microcred.example/credentials/status/1';
const STATUS_LIST_LENGTH = 131072;
const STATUS_INDEX = 94567;
const DID_WEB = 'did:web:microcred.example';
const DID_WEB_URL = 'https://microcred.example/.well-known/did.json';

function seed(label) {
  return new Uint8Array(createHash('sha256').update(label).digest());
}

async function didKey(label) {
  const key = await Ed25519Multikey.generate({seed: seed(label)});
  const did = `did:key:${key.publicKeyMultibase}`;
  return Ed25519Multikey.from({
    ...(await key.export({publicKey: true, secretKey: true})),
    id: `${did}#${key.publicKeyMultibase}`,
    controller: did,
  });
}

async function didWebKey(label) {
  const key = await Ed25519Multikey.generate({seed: seed(label)});
  return Ed25519Multikey.from({
    ...(await key.export({publicKey: true, secretKey: true})),
    id: `${DID_WEB}#key-1`,
    controller: DID_WEB,
  });
}

function didWebDocument(key) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: DID_WEB,
    verificationMethod: [{
      id: key.id,
      type: 'Multikey',
      controller: DID_WEB,
      publicKeyMultibase: key.publicKeyMultibase,
    }],
    assertionMethod: [key.id],
  };
}

function unsignedBadge({issuerId, withStatus = true}) {
  const credential = {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: 'urn:uuid:5f0b3c9e-7c1d-4a55-9a2f-0d6f2b7c9e11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Data Privacy Essentials',
    issuer: {
      id: issuerId,
      type: ['Profile'],
      name: 'Microcred Test Institute',
      url: 'https://microcred.example/',
      email: 'registrar@microcred.example',
    },
    validFrom: SIGNED_AT,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject',
        identityHash: 'sha256$' + createHash('sha256').update('ada@example.org' + 'pepper-1').digest('hex'),
        identityType: 'emailAddress',
        hashed: true,
        salt: 'pepper-1',
      }],
      achievement: {
        id: 'https://microcred.example/achievements/data-privacy-essentials',
        type: ['Achievement'],
        achievementType: 'MicroCredential',
        name: 'Data Privacy Essentials',
        description: 'Applies privacy-by-design principles to everyday data handling.',
        criteria: {
          id: 'https://microcred.example/achievements/data-privacy-essentials/criteria',
          narrative: 'Passed the summative assessment covering all four learning outcomes.',
        },
      },
    },
  };
  if (withStatus) {
    credential.credentialStatus = {
      id: `${STATUS_LIST_URL}#${STATUS_INDEX}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(STATUS_INDEX),
      statusListCredential: STATUS_LIST_URL,
    };
  }
  return credential;
}

async function sign(credential, key, documentLoader) {
  const suite = new DataIntegrityProof({
    signer: key.signer(),
    date: SIGNED_AT,
    cryptosuite: eddsaRdfc2022CryptoSuite,
  });
  return vc.issue({credential, suite, documentLoader});
}

async function statusList({key, revoked, documentLoader}) {
  const list = await createList({length: STATUS_LIST_LENGTH});
  if (revoked) {
    list.setStatus(STATUS_INDEX, true);
  }
  const credential = await createCredential({id: STATUS_LIST_URL, list, statusPurpose: 'revocation'});
  credential.issuer = key.controller;
  credential.validFrom = SIGNED_AT;
  return sign(credential, key, documentLoader);
}

function write(name, data) {
  writeFileSync(join(FIXTURES, name), JSON.stringify(data, null, 2) + '\n');
  console.log(`wrote ${join('tests/verifiers/fixtures', name)}`);
}

async function main() {
  forbidNetwork();
  const issuer = await didKey('microcred test issuer');
  const other = await didKey('microcred test other key');
  const webKey = await didWebKey('microcred test did:web key');
  const webDocument = didWebDocument(webKey);
  const documentLoader = makeDocumentLoader({[DID_WEB_URL]: webDocument});

  const clear = await statusList({key: issuer, revoked: false, documentLoader});
  const revoked = await statusList({key: issuer, revoked: true, documentLoader});
  const badge = await sign(unsignedBadge({issuerId: issuer.controller}), issuer, documentLoader);
  const wrongIssuer = await sign(unsignedBadge({issuerId: issuer.controller}), other, documentLoader);
  const webBadge = await sign(
    unsignedBadge({issuerId: DID_WEB, withStatus: false}), webKey, documentLoader);

  write('status-list-clear.json', clear);
  write('status-list-revoked.json', revoked);
  write('didkey-ob30-with-status.json', {
    description: 'OB 3.0 credential signed by a did:key; status list bit clear (make_fixtures.mjs).',
    credential: badge,
    documents: {[STATUS_LIST_URL]: clear},
  });
  write('didkey-ob30-wrong-issuer.json', {
    description: 'Claims the did:key issuer of didkey-ob30-with-status.json but is signed by another did:key.',
    credential: wrongIssuer,
    documents: {[STATUS_LIST_URL]: clear},
  });
  write('didweb-ob30.json', {
    description: 'OB 3.0 credential issued by a did:web DID, its DID document given by URL (make_fixtures.mjs).',
    credential: webBadge,
    documents: {[DID_WEB_URL]: webDocument},
  });
  write('keys.json', {
    issuer: {did: issuer.controller, verificationMethod: issuer.id},
    other: {did: other.controller, verificationMethod: other.id},
    didWeb: {did: DID_WEB, verificationMethod: webKey.id, documentUrl: DID_WEB_URL},
    statusList: {url: STATUS_LIST_URL, length: STATUS_LIST_LENGTH, index: STATUS_INDEX},
  });
}

await main();
