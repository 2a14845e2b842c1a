# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""A note's evidence in typed code: ``EvidenceMapper.evidence`` (``model/_evidence.py``, its
reference) for the row scorer's selection.

The reference builds a dictionary of places per column, a tuple per place and sorts tuples
to merge overlapping phrases; on the per-keystroke path that cost about as much as the
note's analysis. Here a label's phrases are gathered, merged and ranked in C arrays, and
Python objects are made only for what is shown. Tested equal to the reference, note by
note, on the test split, the public file and arbitrary notes.
"""

from cpython.object cimport PyObject_GenericSetAttr
from libc.stdlib cimport free, qsort, realloc


cdef struct Place:
    int first  # first term
    int last  # last term + 1
    double weight


cdef struct Places:
    Place* items
    Py_ssize_t count
    Py_ssize_t capacity


cdef int _add(Places* places, int first, int last, double weight) except -1:
    cdef Place* grown
    cdef Py_ssize_t capacity
    if places.count == places.capacity:
        capacity = places.capacity * 2 if places.capacity else 16
        grown = <Place*>realloc(places.items, capacity * sizeof(Place))
        if grown is NULL:
            raise MemoryError()
        places.items = grown
        places.capacity = capacity
    places.items[places.count].first = first
    places.items[places.count].last = last
    places.items[places.count].weight = weight
    places.count += 1
    return 0


cdef int _by_place(const void* a, const void* b) noexcept nogil:
    """Ascending (first, last, weight), as Python orders the reference's tuples."""
    cdef const Place* x = <const Place*>a
    cdef const Place* y = <const Place*>b
    if x.first != y.first:
        return -1 if x.first < y.first else 1
    if x.last != y.last:
        return -1 if x.last < y.last else 1
    if x.weight != y.weight:
        return -1 if x.weight < y.weight else 1
    return 0


cdef Py_ssize_t _merge(Place* items, Py_ssize_t n) noexcept nogil:
    """``_merge`` of the reference, in place: overlapping term ranges united with their
    weights summed (in place order), then heaviest first, ties in place order. Returns
    how many remain."""
    cdef Py_ssize_t k, t = 0, j
    cdef Place item
    if n < 2:
        return n
    qsort(items, n, sizeof(Place), _by_place)
    for k in range(n):
        if t and items[k].first < items[t - 1].last:
            if items[k].last > items[t - 1].last:
                items[t - 1].last = items[k].last
            items[t - 1].weight += items[k].weight
        else:
            items[t] = items[k]
            t += 1
    # A stable insertion sort, heaviest first: a label has a few dozen places at most.
    for k in range(1, t):
        item = items[k]
        j = k - 1
        while j >= 0 and items[j].weight < item.weight:
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = item
    return t


cdef class EvidenceAssembler:
    """Phrases of a note behind each label, as ``EvidenceMapper.evidence`` gives them."""

    cdef int[::1] word_n  # words in each word column's n-gram
    cdef unsigned char[::1] word_present  # its first term is in the present context
    cdef Py_ssize_t word_start, word_stop, cue_start, cue_stop, max_phrases, max_context
    cdef dict cue_of_column
    cdef double min_weight
    cdef object feature_words, evidence_type, cue_places

    def __init__(self, mapper, feature_words, evidence_type):
        """``mapper``: the model's ``EvidenceMapper``; ``feature_words``: the engine's
        ``feature_words``; ``evidence_type``: ``Evidence``."""
        import numpy as np

        entries = [entry for _, entry in mapper._word_entries]
        self.word_n = np.array([n for n, _, _ in entries] or [0], dtype=np.intc)
        self.word_present = np.array(
            [context == "present" for _, _, context in entries] or [0], dtype=np.uint8
        )
        self.word_start, self.word_stop = mapper.words.start, mapper.words.stop
        self.cue_start, self.cue_stop = mapper.cues.start, mapper.cues.stop
        self.cue_of_column = dict(mapper.cue_of_column)
        self.max_phrases = mapper.max_phrases
        self.max_context = mapper.max_context_cues
        self.min_weight = mapper.min_weight
        self.feature_words = feature_words
        self.evidence_type = evidence_type
        self.cue_places = mapper.cue_places

    def evidence(self, str text, analysis, tuple labels, list selected, dict occurs):
        """``EvidenceMapper.evidence(text, analysis, dict(zip(labels, selected)), occurs)``:
        ``selected`` holds each label's (columns, contributions) from the row scorer, and
        ``occurs`` where each word n-gram occurs."""
        cdef list index = self.feature_words(analysis).term_index
        terms = analysis.terms
        cdef list starts = terms.starts, ends = terms.ends
        cdef list result = []
        cdef list columns, weights, positions, places
        cdef dict found_cues = None, cue_labels = None, contextual
        cdef Py_ssize_t j, k, q, n, n_places, count, column
        cdef int first, last, p
        cdef double weight, share
        cdef Places present
        present.items = NULL
        present.count = 0
        present.capacity = 0
        Evidence = self.evidence_type
        try:
            for j in range(len(labels)):
                label = labels[j]
                columns, weights = selected[j]
                present.count = 0
                contextual = None
                for k in range(len(columns)):
                    column = columns[k]
                    weight = weights[k]
                    if self.word_start <= column < self.word_stop:
                        column -= self.word_start
                        # A word n-gram's places all share its context: only present ones show.
                        if weight <= 0.0 or not self.word_present[column]:
                            continue
                        positions = occurs.get(column)
                        if positions is None:
                            continue
                        n = self.word_n[column]
                        # A phrase of the note only if no punctuation sits in between.
                        n_places = 0
                        for q in range(len(positions)):
                            p = positions[q]
                            if <int>index[p + n - 1] - <int>index[p] == n - 1:
                                n_places += 1
                        if n_places == 0:
                            continue
                        share = weight if n_places == 1 else weight / n_places
                        for q in range(len(positions)):
                            p = positions[q]
                            first, last = index[p], index[p + n - 1]
                            if last - first == n - 1:
                                _add(&present, first, last + 1, share)
                    elif self.cue_start <= column < self.cue_stop:
                        if found_cues is None:
                            found_cues = self.cue_places(analysis.cues)
                        places = found_cues.get(self.cue_of_column[column - self.cue_start])
                        if not places:
                            continue
                        share = weight / len(places)
                        for place in places:
                            context = place[2]
                            if context == "present":
                                if share > 0.0:
                                    _add(&present, place[0], place[1], share)
                                continue
                            if cue_labels is None:
                                cue_labels = {c.cue: c.label for c in analysis.cues}
                            cue = self.cue_of_column[column - self.cue_start][0]
                            if cue_labels.get(cue) == label:
                                if contextual is None:
                                    contextual = {}
                                contextual[place] = contextual.get(place, 0.0) + share
                count = _merge(present.items, present.count)
                for k in range(min(count, self.max_phrases)):
                    weight = present.items[k].weight
                    if weight < self.min_weight:
                        break
                    start = starts[present.items[k].first]
                    end = ends[present.items[k].last - 1]
                    result.append(
                        _new(Evidence, label, start, end, text[start:end], round(weight, 4), False, "present")
                    )
                if contextual:
                    ranked = sorted(contextual.items(), key=_second)[: self.max_context]
                    for (first, last, context), contextual_weight in ranked:
                        start, end = starts[first], ends[last - 1]
                        result.append(
                            _new(
                                Evidence, label, start, end, text[start:end],
                                round(contextual_weight, 4), True, context,
                            )
                        )
        finally:
            free(present.items)
        return result


cdef object _new(type kind, label, start, end, text, weight, negated, context):
    """An ``Evidence``, made as its dataclass ``__init__`` makes it (``object.__setattr__``
    on each field, as it is frozen) without the cost of calling it."""
    cdef object made = kind.__new__(kind)
    PyObject_GenericSetAttr(made, "label", label)
    PyObject_GenericSetAttr(made, "start", start)
    PyObject_GenericSetAttr(made, "end", end)
    PyObject_GenericSetAttr(made, "text", text)
    PyObject_GenericSetAttr(made, "weight", weight)
    PyObject_GenericSetAttr(made, "negated", negated)
    PyObject_GenericSetAttr(made, "context", context)
    return made


def _second(pair):
    return pair[1]
