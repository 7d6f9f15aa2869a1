/** A config with one or more problems (an `ArgumentError` by name): `lines` holds one line per problem, each naming its key. */
import { ArgumentError } from '../ops/validate.js';

export class ConfigError extends ArgumentError {
  readonly lines: string[];

  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}
