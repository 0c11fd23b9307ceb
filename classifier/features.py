"""TF-IDF features: word 1-2-grams, char_wb 3-5-grams and the questions' words, fast.

`TextFeatures.fit` fits ordinary scikit-learn `TfidfVectorizer`s. `transform` gives exactly
the same matrix as `hstack([word.transform(docs), char.transform(docs),
question_weight * question.transform(questions(docs))])` but caches the char n-gram columns of
each distinct word and builds the sparse matrix with numpy, which makes scoring several times
faster (see tests/classifier/test_features.py).

The question block repeats the word n-grams of the sentences that end in a question mark: the
labelling guide makes a comment's topic the subject of the question it asks, and a comment
that asks about the charity shop while mentioning its grief should weigh the question more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# A question starts where a sentence does; the look-behind stops the engine from trying every
# position inside a sentence (same matches as r"[^.!?\n]*\?", three times faster).
_QUESTION = re.compile(r"(?:(?<=[.!?\n])|^)[^.!?\n]*\?")
_CACHE_LIMIT = 50_000
_EMPTY = np.zeros(0, dtype=np.int64)


def preprocess(text: str) -> str:
    """Normalise a comment before vectorising: NFKC, straight quotes, lower case."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def questions(doc: str) -> str:
    """The sentences of a preprocessed comment that end in a question mark, joined."""
    return " ".join(_QUESTION.findall(doc)) if "?" in doc else ""


def _char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """Char n-grams of one padded word, exactly as scikit-learn's char_wb analyzer."""
    padded = " " + word + " "
    length = len(padded)
    grams: list[str] = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < length:
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:  # a short word counts once, like scikit-learn
            break
    return grams


def _tfidf_rows(
    lengths: list[int], cols: np.ndarray, n_features: int, idf: np.ndarray, sublinear: bool
) -> sp.csr_matrix:
    """CSR TF-IDF rows from each document's column occurrences, as TfidfVectorizer does."""
    n_docs = len(lengths)
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    counts = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float64), cols, indptr), shape=(n_docs, n_features)
    )
    counts.sum_duplicates()  # sorts each row's columns and adds up repeats
    data = counts.data
    if sublinear:
        np.log(data, data)
        data += 1.0
    data *= idf[counts.indices]
    row_lengths = np.diff(counts.indptr)
    squares = np.bincount(np.repeat(np.arange(n_docs), row_lengths), weights=data**2,
                          minlength=n_docs)
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, row_lengths)
    return counts


_VECTORIZERS = ("word_vectorizer_", "char_vectorizer_", "question_vectorizer_")
_PACKED_PARAMS = ("analyzer", "ngram_range", "min_df", "max_df", "sublinear_tf", "lowercase",
                  "token_pattern")


def _pack(vectorizer: TfidfVectorizer) -> dict:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    if any("\n" in term for term in terms):  # cannot happen with our analyzers; be sure
        raise ValueError("a vocabulary term contains a newline")
    return {
        "params": {name: getattr(vectorizer, name) for name in _PACKED_PARAMS},
        "terms": "\n".join(terms),
        "idf": np.asarray(vectorizer.idf_, dtype=np.float64),
    }


def _unpack(packed: dict) -> TfidfVectorizer:
    params = dict(packed["params"])
    params["ngram_range"] = tuple(params["ngram_range"])
    vectorizer = TfidfVectorizer(**params)
    terms = packed["terms"].split("\n") if packed["terms"] else []
    vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
    vectorizer.idf_ = np.asarray(packed["idf"], dtype=np.float64)
    return vectorizer


class TextFeatures(TransformerMixin, BaseEstimator):
    """Word (1-2), char_wb (3-5) and question-word TF-IDF features side by side."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (3, 5),
        word_min_df: int = 1,
        char_min_df: int = 2,
        max_df: float = 1.0,
        sublinear_tf: bool = True,
        question_weight: float = 0.0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.word_min_df = word_min_df
        self.char_min_df = char_min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.question_weight = question_weight  # 0: no question block

    def fit(self, X: Iterable[str], y: object = None) -> TextFeatures:
        """Fit the word and char vectorizers on the comments."""
        docs = [preprocess(text) for text in X]
        common = {"lowercase": False, "sublinear_tf": self.sublinear_tf, "max_df": self.max_df}
        self.word_vectorizer_ = TfidfVectorizer(
            analyzer="word", ngram_range=tuple(self.word_ngram_range),
            min_df=self.word_min_df, token_pattern=_TOKEN.pattern, **common,
        ).fit(docs)
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.char_ngram_range),
            min_df=self.char_min_df, **common,
        ).fit(docs)
        # the terms dropped by min_df are kept only for introspection and bloat the artifact
        self.word_vectorizer_.stop_words_ = None
        self.char_vectorizer_.stop_words_ = None
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        self.n_features_out_ = self.n_word_features_ + len(self.char_vectorizer_.vocabulary_)
        self.question_vectorizer_ = None
        if self.question_weight:
            asked = [questions(doc) for doc in docs]
            if any(_TOKEN.search(q) for q in asked):  # else there is nothing to fit
                self.question_vectorizer_ = TfidfVectorizer(
                    analyzer="word", ngram_range=tuple(self.word_ngram_range),
                    min_df=self.word_min_df, token_pattern=_TOKEN.pattern, lowercase=False,
                    sublinear_tf=self.sublinear_tf,
                ).fit(asked)
                self.question_vectorizer_.stop_words_ = None
                self.n_features_out_ += len(self.question_vectorizer_.vocabulary_)
        self._drop_caches()
        return self

    def __getstate__(self) -> dict:
        # Store each fitted vectorizer compactly (parameters, terms joined in one string, idf):
        # a vocabulary dict of ~25k entries is slow to serialise and load item by item.
        # a copy: BaseEstimator may hand back the live __dict__, and saving must not unfit us
        state = dict(super().__getstate__())
        state.pop("_char_cache", None)
        for name in _VECTORIZERS:
            vectorizer = state.pop(name, None)
            if vectorizer is not None:
                state[name + "packed"] = _pack(vectorizer)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        for name in _VECTORIZERS:
            packed = state.pop(name + "packed", None)
            if packed is not None:
                state[name] = _unpack(packed)
        super().__setstate__(state)

    def _drop_caches(self) -> None:
        self._char_cache: dict[str, np.ndarray] = {}

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Feature names: word n-grams first, then char n-grams prefixed with 'char:'."""
        words = self.word_vectorizer_.get_feature_names_out()
        chars = np.array(["char:" + g for g in self.char_vectorizer_.get_feature_names_out()])
        names = [words, chars]
        if self._questions() is not None:
            names.append(np.array(
                ["question:" + g for g in self.question_vectorizer_.get_feature_names_out()]
            ))
        return np.concatenate(names).astype(object)

    def _questions(self) -> TfidfVectorizer | None:
        return getattr(self, "question_vectorizer_", None)

    def reference_transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The same features via scikit-learn's own transform (slow; for checking)."""
        docs = [preprocess(text) for text in X]
        blocks = [self.word_vectorizer_.transform(docs), self.char_vectorizer_.transform(docs)]
        vectorizer = self._questions()
        if vectorizer is not None:
            asked = [questions(doc) for doc in docs]
            blocks.append(vectorizer.transform(asked) * self.question_weight)
        return sp.hstack(blocks, format="csr")

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix (word, char, question blocks), L2-normalised per block."""
        return sp.hstack(self.transform_blocks(X), format="csr")

    def transform_blocks(self, X: Iterable[str]) -> tuple[sp.csr_matrix, ...]:
        """The word, char and (when fitted) question blocks; their hstack is `transform`."""
        docs = [preprocess(text) for text in X]
        blocks = (self._word_block(docs, self.word_vectorizer_), self._char_block(docs))
        vectorizer = self._questions()
        if vectorizer is None:
            return blocks
        asked = self._word_block([questions(doc) for doc in docs], vectorizer)
        asked.data *= self.question_weight
        return (*blocks, asked)

    def _word_block(self, docs: list[str], vectorizer: TfidfVectorizer) -> sp.csr_matrix:
        vocab = vectorizer.vocabulary_
        get = vocab.get
        lo, hi = vectorizer.ngram_range
        cols: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            tokens = _TOKEN.findall(doc)
            start = len(cols)
            for n in range(lo, hi + 1):
                if n == 1:
                    grams = tokens
                else:  # n consecutive tokens joined by a space, in order, as scikit-learn does
                    grams = map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
                cols.extend([c for c in map(get, grams) if c is not None])  # one lookup each
            lengths.append(len(cols) - start)
        return _tfidf_rows(
            lengths, np.asarray(cols, dtype=np.int64), len(vocab), vectorizer.idf_,
            vectorizer.sublinear_tf,
        )

    def _char_block(self, docs: list[str]) -> sp.csr_matrix:
        vocab = self.char_vectorizer_.vocabulary_
        lo, hi = self.char_vectorizer_.ngram_range
        cache = getattr(self, "_char_cache", None)
        if cache is None or len(cache) > _CACHE_LIMIT:
            self._drop_caches()
            cache = self._char_cache
        parts: list[np.ndarray] = []
        lengths: list[int] = []
        for doc in docs:
            total = 0
            for word in doc.split():
                cols = cache.get(word)
                if cols is None:
                    cols = np.fromiter(
                        (vocab[g] for g in _char_wb_ngrams(word, lo, hi) if g in vocab),
                        dtype=np.int64,
                    )
                    cache[word] = cols
                parts.append(cols)
                total += len(cols)
            lengths.append(total)
        cols_all = np.concatenate(parts) if parts else _EMPTY
        return _tfidf_rows(
            lengths, cols_all, len(vocab), self.char_vectorizer_.idf_, self.sublinear_tf
        )
