/**
 * The keys of every object in a JSON text, as written, duplicates included (JSON.parse keeps only
 * the last of a duplicate key, so it cannot show them). One list per object.
 */
export function objectKeys(text: string): string[][] {
  const open: { keys?: string[]; expectKey: boolean }[] = []; // keys: undefined for an array
  const all: string[][] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = open.at(-1);
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        top.keys.push(JSON.parse(text.slice(i, end + 1)));
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      const keys: string[] = [];
      all.push(keys);
      open.push({ keys, expectKey: true });
    } else if (c === '[') open.push({ expectKey: false });
    else if (c === '}' || c === ']') open.pop();
    else if (c === ',' && top?.keys) top.expectKey = true;
  }
  return all;
}

/** The keys written twice in one object of a JSON text. */
export function duplicateKeys(text: string): string[] {
  return objectKeys(text).flatMap((keys) => keys.filter((key, index) => keys.indexOf(key) !== index));
}
