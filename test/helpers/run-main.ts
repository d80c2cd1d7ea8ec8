/** Runs a script's main function: exits 0 (or its code) when it ends, 1 with the failure printed when it throws. */
export function runMain(label: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      process.stderr.write(`${label}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
