import { expect } from 'chai';
import { OAuth2Error } from '../../../server/src/errors/oauth2-error.js';
import { parseParams } from '../../../server/src/lib/params.js';
import { isResourceIndicator, narrowedAudience, parseResources, requestedAudience } from '../../../server/src/oauth2/resource.js';

/** The error `fn` throws; fails when it throws none. */
function thrown(fn: () => unknown): OAuth2Error {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OAuth2Error);
    return err as OAuth2Error;
  }
  throw new Error('expected an OAuth2Error');
}

describe('oauth2/resource (RFC 8707)', () => {
  it('accepts absolute URIs without a fragment, and nothing else', () => {
    for (const ok of ['https://api.test', 'https://api.test/v1?x=1&y=%2F', 'urn:example:api', 'http://[::1]:8080/p', 'a+b.c-d:x']) expect(isResourceIndicator(ok), ok).to.equal(true);
    for (const bad of ['', '/api', 'api.test', '//api.test/x', '1https://x', 'https://api.test/#', 'https://api.test/#f', 'https://api.test/%zz', 'https://api.test/%2', 'https://api.test/a b', 'https://api.test/\tx', 'https://api.test/é', 'https://api.test/<x>']) {
      expect(isResourceIndicator(bad), JSON.stringify(bad)).to.equal(false);
    }
  });

  it('reads repeated resource parameters back exactly, from a form or a query string', () => {
    const params = parseParams('resource=https%3A%2F%2Fa.test%2F&resource=urn%3Ax&resource=https%3A%2F%2Fa.test%2F');
    expect(parseResources(params['resource'])).to.deep.equal(['https://a.test/', 'urn:x']);
    expect(parseResources(undefined)).to.deep.equal([]);
  });

  it('refuses, as invalid_target, a value with a space rather than reading it as two URIs, and empty values wherever they are', () => {
    for (const query of ['resource=https://a.test/+urn:x', 'resource=', 'resource=urn:x&resource=', 'resource=&resource=urn:x']) {
      const err = thrown(() => parseResources(parseParams(query)['resource']));
      expect(err.error, query).to.equal('invalid_target');
      expect(err.status).to.equal(400);
    }
    // Other parameters still may not repeat (RFC 6749 §3.1).
    expect(thrown(() => parseParams('scope=a&scope=b')).error).to.equal('invalid_request');
  });

  it('requests `audience` and `resource` together, each within the client\'s audiences, with its own error', () => {
    const allowed = ['https://a.test/', 'urn:x', 'legacy'];
    expect(requestedAudience({ audience: 'legacy urn:x', resource: 'https://a.test/ urn:x' }, allowed)).to.deep.equal(['legacy', 'urn:x', 'https://a.test/']);
    expect(thrown(() => requestedAudience({ resource: 'https://b.test/' }, allowed)).error).to.equal('invalid_target');
    expect(thrown(() => requestedAudience({ resource: 'legacy' }, allowed)).error).to.equal('invalid_target');
    expect(thrown(() => requestedAudience({ audience: 'other' }, allowed)).error).to.equal('invalid_request');
  });

  it('narrows a grant to granted resources the client still may have; none keeps the whole grant', () => {
    const granted = ['https://a.test/', 'urn:x'];
    expect(narrowedAudience(undefined, granted, granted)).to.equal(granted);
    expect(narrowedAudience('urn:x', granted, granted)).to.deep.equal(['urn:x']);
    expect(thrown(() => narrowedAudience('https://b.test/', granted, [...granted, 'https://b.test/'])).error).to.equal('invalid_target');
    expect(thrown(() => narrowedAudience('urn:x', granted, ['https://a.test/'])).error).to.equal('invalid_target');
  });
});
