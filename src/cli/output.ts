/**
 * Where a command's output goes. With `--json`, stdout holds exactly one line, the JSON result, and
 * every human line goes to stderr (so `hardneg … --json | jq` works); without it, human lines go to
 * stdout. Progress bars, notes and the backend line always go to stderr.
 */
export interface Output {
  /** A human-readable result line. */
  line(text: string): void;
  /** The JSON result: printed on stdout with `--json`, nothing otherwise. */
  json(value: unknown): void;
}

export function commandOutput(json: boolean | undefined): Output {
  return {
    line: (text) => (json ? console.error(text) : console.log(text)),
    json: (value) => {
      if (json) console.log(JSON.stringify(value));
    },
  };
}
