// The model card's headline, for the page that explains a score: the paragraph the training code writes
// as "**Headline …**" in the Markdown card beside the ONNX file (models/<name>.md). A site's own model
// card may not have one: then the page says where the card is instead of inventing numbers.
import { readFile } from 'node:fs/promises';

/** The headline paragraph (Markdown stripped to text), or undefined when there is none to read. */
export async function readModelCardHeadline(modelPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(modelPath.replace(/\.onnx$/i, '.md'), 'utf8');
  } catch {
    return undefined;
  }
  const paragraph = text.split(/\n\s*\n/).find((p) => p.trimStart().startsWith('**Headline'));
  if (paragraph === undefined) return undefined;
  return paragraph
    .replace(/\*\*/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
