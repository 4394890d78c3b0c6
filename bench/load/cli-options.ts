/** Prints the usage and ends the process when `--help` was given. */
export function exitOnHelp(usage: string, help: boolean | undefined): void {
  if (!help) return;
  console.log(usage);
  process.exit(0);
}

/** A reader of integer options from 1 to a maximum that ends the process with the usage on any other value. */
export function integerOption(usage: string): (name: string, raw: string, max: number) => number {
  return (name, raw, max) => {
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1 && value <= max) return value;
    console.error(`--${name} must be an integer from 1 to ${max}, not '${raw}'\n\n${usage}`);
    return process.exit(2);
  };
}
