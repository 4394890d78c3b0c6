/** The query parameter a caller that can only be given a URL (an SMS gateway) may put its API key in. */
export const API_KEY_QUERY_PARAMETER = 'key';

const REDACTED = '[redacted]';

/**
 * The URL with the value of every `key` query parameter replaced, for the logs. A parameter counts
 * by its decoded name (`k%65y` is `key` to the query parser, so it is to this), and everything
 * else stays byte for byte as the client sent it.
 */
export function redactApiKeyInUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      const name = equals === -1 ? parameter : parameter.slice(0, equals);
      return decodedName(name) === API_KEY_QUERY_PARAMETER ? `${name}=${REDACTED}` : parameter;
    });
  return `${url.slice(0, query + 1)}${parameters.join('&')}`;
}

/** A parameter's name as the query parser reads it (`+` a space, `%xx` decoded; a malformed escape kept). */
function decodedName(name: string): string {
  return [...new URLSearchParams(`${name}=`).keys()][0] ?? '';
}
