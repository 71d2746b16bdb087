// What every browser script here shares: its settings from the environment, Debian's Chromium
// launched headless with the flags these machines need (never a browser download), and the
// screenshot folder.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

/** A required setting; throws naming it when it is missing. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`missing env ${name}`);
  return v;
}

/** Chromium from CHROMIUM (default /usr/bin/chromium), headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

/** The SCREENSHOTS folder, created. */
export function screenshots() {
  const dir = env("SCREENSHOTS");
  mkdirSync(dir, { recursive: true });
  return dir;
}
