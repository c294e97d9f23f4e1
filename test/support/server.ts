/** Lifecycle of the fake OpenAI server (test/support/fake-openai.ts) in a test file. */
import { afterEach } from "vitest";
import { startFakeOpenAI, type FakeHandler, type FakeServer } from "./fake-openai.js";

/**
 * One fake OpenAI server per test: `start(handler)` starts it on 127.0.0.1 (closing the one this test started
 * before, if any), and it is closed after each test. Call at the top level of a test file; registers an afterEach hook.
 */
export function fakeServerPerTest(): { start(handler?: FakeHandler): Promise<FakeServer> } {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    async start(handler?: FakeHandler) {
      await server?.close();
      server = await startFakeOpenAI(handler);
      return server;
    },
  };
}
