# C types of the compiled model/_context.py (Cython's "augmenting .pxd"): its classes become
# extension types with typed attributes, the methods and functions declared here are called
# from C with typed arguments and locals, and the .py stays the pure-Python reference. Every
# attribute a class sets must be declared here; `public` keeps each readable from Python.
# A closure (a generator expression) cannot sit inside a function declared here.
cimport cython

from model._fast._persons cimport PersonFinder


cdef class PhraseTable:
    cdef public dict _table

    @cython.locals(i=Py_ssize_t, last=Py_ssize_t, n=Py_ssize_t)
    cpdef list find(self, list words)


cdef class NoteAnalyser:
    cdef public object lexicon, tokenizer, version
    cdef public PersonFinder persons
    cdef public list cue_types, cue_patterns
    cdef public dict _cue_label, cue_overrides, _not_words, termsets
    cdef public dict _term_cache, _run_cache, _special_joins
    cdef public frozenset _sentence_ends
    cdef public PhraseTable _cues, _triggers

    @cython.locals(at=Py_ssize_t, start=Py_ssize_t, end=Py_ssize_t, known_runs=dict, run=str)
    cpdef list tokens(self, str normalised)
    cpdef str _space_run(self, list tokens, Py_ssize_t start, Py_ssize_t length, str before)
    cpdef list _pieces(self, str run)
    @cython.locals(last=Py_ssize_t)
    cpdef list sentence_starts(self, list words)
    cpdef object terms(self, str normalised, object text=*)
    cpdef object analyse(self, str text)
    cpdef list analyse_many(self, list texts)
    cpdef object _analyse(self, str normalised, object terms)
    cpdef list settle(self, str normalised, list matches)
