# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Feature rows and linear scores in typed code: the scoring arithmetic of a note, once its
inputs (context-marked words, blanked character text, cue columns) are known.

The numpy path (``FeatureSpace.transform_parts`` then a product per block) makes a few dozen
array calls per note, each costing more than its arithmetic on a row of a few hundred
nonzeros; here each row is counted, weighted, normalised and multiplied in one C loop. The
arithmetic is scikit-learn's TF-IDF (sublinear tf, idf, L2 norm with the model's floor, float32
values as in the training matrix) and the sigmoid-calibrated linear model of
``Classifier``. Tested against the numpy path (which is tested against scikit-learn).

Each note is done in two phases: first its n-gram columns are looked up (Python
dictionaries), then counted and scored with no Python call at all. The GIL is held through
the second phase, so threads sharing one scorer never see each other's counts.
"""

from cpython cimport array
from libc.math cimport exp, log, sqrt
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

import array as _array

import numpy as np

# Distinct words whose character n-gram columns one scorer remembers; past this it starts again.
WORD_CACHE_SIZE = 50_000

cdef array.array _INT_ARRAY = _array.array("i")


cdef class RowScorer:
    """Scores ``NoteInputs`` with one model's vocabularies, idf, weights and calibration."""

    cdef dict word_vocab, char_vocab, grams
    # Bigram columns by first word, then second: {w1: {w2: column}}, built at load (about
    # 20 ms). Looking up the note's own word objects (their hashes already known) costs
    # about half of building "w1 w2" and hashing it; None where a gram holds two spaces (a
    # three-word vocabulary), and bigrams are then joined and looked up whole.
    cdef dict bigrams
    cdef object char_wb_grams
    cdef int max_n, low, high
    cdef Py_ssize_t char_start, cue_start, n_labels
    cdef bint has_chars, word_sublinear, char_sublinear
    cdef double word_floor, char_floor
    cdef float cue_weight
    cdef double[::1] intercepts, slopes, offsets
    # Per global column, side by side: its count (scratch, zero between notes), idf (words
    # and characters) and each label's weight. A note's columns are scattered over the
    # vocabulary; one place per column keeps each lookup to one or two cache lines.
    cdef double[:, ::1] table

    def __init__(self, words, chars, cue_start, cue_weight, linear, char_wb_grams):
        """``words``/``chars``: fitted ``TfidfBlock``s (chars may be None); ``linear``: the
        classifier's ``LinearForm``; ``char_wb_grams``: the character n-gram function."""
        self.word_vocab = words.vocabulary
        self.bigrams = _bigrams(words.vocabulary)
        self.max_n = words.max_n
        self.word_sublinear = words.sublinear
        self.word_floor = words.norm_floor
        self.has_chars = chars is not None
        self.char_start = words.width
        weights = np.asarray(linear.weights, dtype=np.float64)
        table = np.zeros((weights.shape[0], 2 + weights.shape[1]))
        table[:, 2:] = weights
        table[: words.width, 1] = words.idf
        if chars is not None:
            self.char_vocab = chars.vocabulary
            self.low, self.high = chars.ngram_range
            table[words.width : words.width + chars.width, 1] = chars.idf
            self.char_sublinear = chars.sublinear
            self.char_floor = chars.norm_floor
        else:
            self.char_vocab = {}
        self.table = table
        self.grams = {}
        self.char_wb_grams = char_wb_grams
        self.cue_start = cue_start
        self.cue_weight = <float>cue_weight
        self.intercepts = np.ascontiguousarray(linear.intercepts, dtype=np.float64)
        self.slopes = np.ascontiguousarray(linear.slopes, dtype=np.float64)
        self.offsets = np.ascontiguousarray(linear.offsets, dtype=np.float64)
        self.n_labels = weights.shape[1]

    def probabilities(self, list inputs):
        """(n_notes, n_labels) calibrated probabilities of ``NoteInputs``."""
        out = np.empty((len(inputs), self.n_labels))
        cdef double[:, ::1] view = out
        cdef Py_ssize_t row
        for row in range(len(inputs)):
            self._note(inputs[row], &view[row, 0], None, NULL, 0.0, None)
        return out

    def probabilities_and_selected(self, list inputs, can_show, double min_share):
        """As ``probabilities``, with what evidence reads of each note: per label, the shown
        columns (global indices) whose contribution to the log-odds exceeds ``min_share``, and
        every cue column, with their contributions (``EvidenceMapper.select``'s rule); and
        where each word n-gram column occurs, {column: [index of its first feature word]}.
        ``can_show`` marks the columns evidence can show (one byte per column)."""
        out = np.empty((len(inputs), self.n_labels))
        cdef double[:, ::1] view = out
        cdef const unsigned char[::1] shown = can_show
        cdef Py_ssize_t row
        selected = []
        places = []
        for row in range(len(inputs)):
            per_label = [([], []) for _ in range(self.n_labels)]
            where = {}
            self._note(inputs[row], &view[row, 0], per_label, &shown[0], min_share, where)
            selected.append(per_label)
            places.append(where)
        return out, selected, places

    cdef array.array _word_columns(self, list words, array.array positions):
        """Columns of the note's word n-grams (1 to ``max_n``), one per occurrence: unigrams
        first, then bigrams, as ``TfidfBlock._word_columns``. ``positions``, when given (for
        evidence), gets the index of each occurrence's first word."""
        cdef array.array found = array.clone(_INT_ARRAY, 0, False)
        cdef Py_ssize_t n = len(words), i, m, at
        cdef dict vocab = self.word_vocab, bigrams = self.bigrams
        for m in range(1, self.max_n + 1):
            for i in range(n - m + 1):
                if m == 1:
                    column = vocab.get(words[i])
                elif m == 2 and bigrams is not None:
                    seconds = bigrams.get(words[i])
                    if seconds is None:
                        continue
                    column = (<dict>seconds).get(words[i + 1])
                else:
                    column = vocab.get(" ".join(words[i : i + m]))
                if column is not None:
                    at = len(found)
                    array.resize_smart(found, at + 1)
                    found.data.as_ints[at] = <int>column
                    if positions is not None:
                        array.resize_smart(positions, at + 1)
                        positions.data.as_ints[at] = <int>i
        return found

    cdef array.array _char_columns(self, str document):
        """Columns of the document's ``char_wb`` n-grams, one per occurrence."""
        cdef array.array found = array.clone(_INT_ARRAY, 0, False)
        cdef array.array known
        cdef Py_ssize_t at
        cdef dict grams = self.grams
        for word in document.split():
            cached = grams.get(word)
            if cached is None:
                if len(grams) > WORD_CACHE_SIZE:
                    grams.clear()
                columns = [
                    c
                    for c in map(self.char_vocab.get, self.char_wb_grams(word, self.low, self.high))
                    if c is not None
                ]
                cached = grams[word] = _array.array("i", columns)
            known = <array.array>cached
            if len(known):
                at = len(found)
                array.resize_smart(found, at + len(known))
                memcpy(&found.data.as_ints[at], known.data.as_ints, len(known) * sizeof(int))
        return found

    cdef int _note(
        self,
        note,
        double* scores,
        list selected,
        const unsigned char* can_show,
        double min_share,
        dict places,
    ) except -1:
        """One note's probabilities into ``scores``; with ``selected`` (a pair of lists per
        label), the columns evidence reads and their contributions appended to it, and where
        each word column occurs put in ``places``."""
        cdef Py_ssize_t k, n_cues
        cdef array.array word_positions = None
        if places is not None:
            word_positions = array.clone(_INT_ARRAY, 0, False)
        cdef array.array word_columns = self._word_columns(note.words, word_positions)
        cdef array.array char_columns
        if self.has_chars and note.chars:
            char_columns = self._char_columns(note.chars)
        else:
            char_columns = array.clone(_INT_ARRAY, 0, False)
        cdef list cue_list = note.cues
        n_cues = len(cue_list)
        cdef Py_ssize_t n_words = len(word_columns), n_chars = len(char_columns)
        # Enough for every entry of the row: its word, character and cue columns.
        cdef Py_ssize_t capacity = n_words + n_chars + n_cues + 1
        cdef int* cues = <int*>malloc((n_cues + 1) * sizeof(int))
        cdef int* entry_columns = <int*>malloc(capacity * sizeof(int))
        cdef float* entry_values = <float*>malloc(capacity * sizeof(float))
        cdef double* workspace = <double*>malloc(capacity * sizeof(double))
        try:
            if not cues or not entry_columns or not entry_values or not workspace:
                raise MemoryError()
            for k in range(n_cues):
                cues[k] = <int>cue_list[k]
            self._score_entries(
                word_columns, char_columns, cues, n_cues, scores, entry_columns, entry_values,
                workspace, selected, can_show, min_share,
            )
        finally:
            free(cues)
            free(entry_columns)
            free(entry_values)
            free(workspace)
        if places is not None:
            for k in range(n_words):
                column = word_columns.data.as_ints[k]
                where = places.get(column)
                if where is None:
                    places[column] = [word_positions.data.as_ints[k]]
                else:
                    where.append(word_positions.data.as_ints[k])
        return 0

    cdef int _score_entries(
        self,
        array.array word_columns,
        array.array char_columns,
        int* cues,
        Py_ssize_t n_cues,
        double* scores,
        int* entry_columns,
        float* entry_values,
        double* workspace,
        list selected,
        const unsigned char* can_show,
        double min_share,
    ) except -1:
        """The row's entries and the note's probabilities; evidence's columns when asked."""
        cdef Py_ssize_t j, k, first_cue, stride = self.table.shape[1]
        cdef double* table = &self.table[0, 0]
        cdef double contribution
        cdef Py_ssize_t n_words = len(word_columns), n_chars = len(char_columns)
        cdef Py_ssize_t n_word_entries, n_char_entries
        # From here on no Python object is touched: the counts are this call's alone.
        for j in range(self.n_labels):
            scores[j] = self.intercepts[j]
        n_word_entries = _weigh(
            word_columns.data.as_ints, n_words, table, stride, self.word_sublinear,
            self.word_floor, 0, entry_columns, entry_values, workspace,
        )
        n_char_entries = _weigh(
            char_columns.data.as_ints, n_chars, table, stride, self.char_sublinear,
            self.char_floor, self.char_start, entry_columns + n_word_entries,
            entry_values + n_word_entries, workspace,
        )
        k = n_word_entries + n_char_entries
        for j in range(n_cues):
            entry_columns[k + j] = <int>(cues[j] + self.cue_start)
            entry_values[k + j] = self.cue_weight
        k += n_cues
        _add_products(entry_columns, entry_values, k, table, stride, self.n_labels, scores)
        for j in range(self.n_labels):
            scores[j] = 1.0 / (1.0 + exp(self.slopes[j] * scores[j] + self.offsets[j]))
        if selected is not None:
            # Shown entries (words, then cues; a character n-gram is no phrase), as
            # contribution = value * weight * -slope, the change in the label's log-odds.
            first_cue = n_word_entries + n_char_entries
            for j in range(self.n_labels):
                columns, contributions = selected[j]
                for k in range(n_word_entries):
                    contribution = (
                        entry_values[k] * table[entry_columns[k] * stride + 2 + j]
                    ) * (-self.slopes[j])
                    if contribution > min_share and can_show[entry_columns[k]]:
                        columns.append(entry_columns[k])
                        contributions.append(contribution)
                for k in range(first_cue, first_cue + n_cues):
                    columns.append(entry_columns[k])
                    contributions.append(
                        (entry_values[k] * table[entry_columns[k] * stride + 2 + j])
                        * (-self.slopes[j])
                    )
        return 0


def _bigrams(vocabulary: dict) -> dict | None:
    """The vocabulary's two-word n-grams as {first: {second: column}}; None when a gram has
    more than one space (a word holding a space: "a b c" could then be either split)."""
    nested = {}
    for gram, column in vocabulary.items():
        first, space, second = gram.partition(" ")
        if not space:
            continue
        if " " in second:
            return None
        seconds = nested.get(first)
        if seconds is None:
            seconds = nested[first] = {}
        seconds[second] = column
    return nested


cdef Py_ssize_t _weigh(
    int* occurrences, Py_ssize_t n, double* table, Py_ssize_t stride, bint sublinear,
    double floor, Py_ssize_t offset, int* out_columns, float* out_values, double* weights,
) noexcept nogil:
    """TF-IDF entries of one row from its block's column occurrences (block column +
    ``offset`` is the global one), in first-occurrence order, as global columns; the counts
    in ``table`` are left zero again; ``weights`` is room for one double per entry. Returns
    the number of entries written."""
    cdef Py_ssize_t k, t = 0, column
    cdef double weight, total = 0.0, norm
    cdef double* place
    for k in range(n):
        column = occurrences[k] + offset
        place = table + column * stride
        if place[0] == 0.0:
            out_columns[t] = <int>column
            t += 1
        place[0] += 1.0
    for k in range(t):
        place = table + out_columns[k] * stride
        weight = place[0]
        place[0] = 0.0
        if sublinear:
            weight = log(weight) + 1.0
        weight = weight * place[1]
        weights[k] = weight
        total += weight * weight
    norm = sqrt(total)
    if norm < floor:
        norm = floor
    for k in range(t):
        out_values[k] = <float>(weights[k] / norm if norm > 0.0 else weights[k])
    return t


cdef void _add_products(
    int* columns, float* values, Py_ssize_t n, double* table, Py_ssize_t stride,
    Py_ssize_t labels, double* scores,
) noexcept nogil:
    cdef Py_ssize_t k, j
    cdef double value
    cdef double* weights
    for k in range(n):
        value = values[k]
        weights = table + columns[k] * stride + 2
        for j in range(labels):
            scores[j] += value * weights[j]
