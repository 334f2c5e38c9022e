import { describe, expect, it } from 'vitest';
import { fieldErrors, toProblem } from '../src/problems.ts';

describe('problems', () => {
  it('turns AJV errors into JSON pointers, escaping ~ and /', () => {
    expect(
      fieldErrors([
        { instancePath: '', keyword: 'required', params: { missingProperty: 'email' } },
        {
          instancePath: '',
          keyword: 'additionalProperties',
          params: { additionalProperty: 'a/b~c' },
        },
        {
          instancePath: '/contributors/0/shareBasisPoints',
          keyword: 'minimum',
          params: {},
          message: 'must be >= 1',
        },
        {
          instancePath: '',
          keyword: 'minProperties',
          params: {},
          message: 'must NOT have fewer than 1 properties',
        },
      ]),
    ).toEqual([
      { field: '/email', message: 'is required' },
      { field: '/a~1b~0c', message: 'is not allowed' },
      { field: '/contributors/0/shareBasisPoints', message: 'must be >= 1' },
      { field: '/', message: 'must NOT have fewer than 1 properties' },
    ]);
  });

  it('keeps the message of client errors and hides the rest', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toProblem(tooLarge)).toEqual({
      problem: {
        type: 'https://mystira.app/problems/bad-request',
        title: 'Payload too large',
        status: 413,
        detail: 'Request body is too large',
      },
      internal: false,
    });
    const secret = Object.assign(new Error('password=hunter2'), { statusCode: 500 });
    const { problem, internal } = toProblem(secret);
    expect(internal).toBe(true);
    expect(JSON.stringify(problem)).not.toMatch(/hunter2/);
  });
});
