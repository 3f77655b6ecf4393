#!/usr/bin/env node
/**
 * A scripted "browser" for oidc-provider's devInteractions pages, with plain
 * fetch and a cookie jar: it follows redirects, fills the login form, presses
 * Continue on consent (and on the device-code confirmation), and finally
 * requests the loopback callback like a browser would. Used as `BROWSER` by
 * integration tests that do not need a real browser (the e2e test uses
 * chromium); also importable (`drive`) to complete a device-flow user step.
 *
 * Environment when run as BROWSER:
 *   FORM_BROWSER_LOGIN   the login to type (default "alice")
 *   FORM_BROWSER_ACTION  approve (default) | cancel (press [ Cancel ]) | record
 *   FORM_BROWSER_LOG     append every URL it was asked to open to this file
 */
import { appendFileSync } from 'node:fs';

const decode = (text) =>
  text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

class Jar {
  cookies = new Map();
  store(response, url) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(`${new URL(url).host}|${pair.slice(0, eq).trim()}`, pair.slice(eq + 1).trim());
    }
  }
  header(url) {
    const host = new URL(url).host;
    return [...this.cookies]
      .filter(([key]) => key.startsWith(`${host}|`))
      .map(([key, value]) => `${key.split('|')[1]}=${value}`)
      .join('; ');
  }
}

function forms(html) {
  const found = [];
  for (const match of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*)"/.exec(match[1])?.[1];
    const fields = {};
    for (const input of match[2].matchAll(/<input([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      const value = /value="([^"]*)"/.exec(input[1])?.[1] ?? '';
      if (name) fields[name] = decode(value);
    }
    found.push({ action: action ? decode(action) : undefined, fields, body: match[2] });
  }
  return found;
}

/**
 * Walk from `url` through the IdP's pages. Returns the final response's URL
 * and text; with `stopAtCallback`, the callback URL without requesting it.
 */
export async function drive(url, { login = 'alice', action = 'approve', maxSteps = 20, stopAtCallback = false } = {}) {
  const jar = new Jar();
  let next = { url, method: 'GET', body: undefined };
  for (let step = 0; step < maxSteps; step++) {
    const headers = { cookie: jar.header(next.url), accept: 'text/html' };
    if (next.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(next.url, { method: next.method, body: next.body, headers, redirect: 'manual' });
    jar.store(response, next.url);
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location'), next.url).href;
      await response.body?.cancel();
      // The app's loopback redirect: a test may take the address instead of requesting it (--no-browser).
      if (stopAtCallback && new URL(location).pathname === '/callback') return { url: location, status: 0, text: '' };
      next = { url: location, method: 'GET', body: undefined };
      continue;
    }
    const text = await response.text();
    const page = forms(text);
    if (action === 'cancel') {
      const abort = /href="([^"]*\/abort)"/.exec(text)?.[1];
      if (abort) {
        next = { url: new URL(decode(abort), next.url).href, method: 'GET', body: undefined };
        continue;
      }
    }
    const form = page.find((candidate) => candidate.action);
    if (!form) return { url: next.url, status: response.status, text };
    const fields = { ...form.fields };
    if ('login' in fields || /name="login"/.test(form.body)) {
      fields.login = login;
      fields.password = 'any-password';
    }
    next = {
      url: new URL(form.action, next.url).href,
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
    };
  }
  throw new Error(`form-browser: gave up after ${maxSteps} steps`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[process.argv.length - 1];
  if (process.env.FORM_BROWSER_LOG) appendFileSync(process.env.FORM_BROWSER_LOG, `${target}\n`);
  const action = process.env.FORM_BROWSER_ACTION ?? 'approve';
  if (action !== 'record') {
    drive(target, { login: process.env.FORM_BROWSER_LOGIN ?? 'alice', action }).catch((error) => {
      process.stderr.write(`form-browser: ${error.message}\n`);
      process.exitCode = 1;
    });
  }
}
