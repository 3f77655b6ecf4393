import { describe, expect, it } from 'vitest';
import { browserCommand, hasDisplay, splitWords } from '../../../src/auth/browser.js';

const url = 'https://idp.example.com/auth?a=1&b=2';

describe('browser', () => {
  it('BROWSER gets the URL as its last argument, or in place of %s', () => {
    expect(browserCommand(url, { BROWSER: 'firefox --new-tab' })).toEqual(['firefox', '--new-tab', url]);
    expect(browserCommand(url, { BROWSER: 'open-it --url=%s' })).toEqual(['open-it', `--url=${url}`]);
    expect(browserCommand(url, { BROWSER: 'w3m:lynx' })).toEqual(['w3m', url]);
    expect(splitWords('"/Applications/My Browser" --x')).toEqual(['/Applications/My Browser', '--x']);
  });

  it('falls back to the platform opener', () => {
    expect(browserCommand(url, {}, 'linux')).toEqual(['xdg-open', url]);
    expect(browserCommand(url, {}, 'darwin')).toEqual(['open', url]);
  });

  it('knows when there is no display (SSH, bare Linux console)', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ SSH_CONNECTION: '1 2 3 4' }, 'darwin')).toBe(false);
    expect(hasDisplay({ BROWSER: 'x' }, 'linux')).toBe(true);
  });
});
