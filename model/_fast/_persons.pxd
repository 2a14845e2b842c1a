# C types of the compiled model/_persons.py (Cython's "augmenting .pxd"): its classes become
# extension types with typed attributes, the methods and functions declared here are called
# from C with typed arguments and locals, and the .py stays the pure-Python reference. Every
# attribute a class sets must be declared here; `public` keeps each readable from Python.
# A closure (a generator expression) cannot sit inside a function declared here.
cimport cython

cdef class PersonFinder:
    cdef public object version, speller
    cdef public dict _phrases, _head_kind
    cdef public frozenset _elderly_words, _child_words, _sex_letters, _sex_codes, _titles
    cdef public list _name_cues
    cdef public frozenset _name_cue_first, _roles, _reporting, _subject_verbs, _age_units
    cdef public frozenset _decades, _decade_qualifiers, _approx, _appearance, _place_words
    cdef public frozenset _compound_first
    cdef public list _head_phrases
    cdef public frozenset _head_phrase_first
    cdef public list _post
    cdef public frozenset _post_first
    cdef public list _material
    cdef public frozenset _material_first, names, _common, _triggers, _starts

    @cython.locals(i=Py_ssize_t, k=Py_ssize_t)
    cpdef list find(self, str text, list tokens)
    cpdef object _description(self, _Note note, Py_ssize_t i)
    cpdef object _titled(self, _Note note, Py_ssize_t i)
    cpdef object _role_name(self, _Note note, Py_ssize_t i)
    cpdef object _reporting_name(self, _Note note, Py_ssize_t i)
    cpdef object _reported_name(self, _Note note, Py_ssize_t i)
    cpdef object _subject_name(self, _Note note, Py_ssize_t i)
    cpdef object _bare_name(self, _Note note, Py_ssize_t i)
    cpdef object _modifier(self, list low, Py_ssize_t j)
    cpdef object _age_before(self, list low, Py_ssize_t j)
    cpdef object _age_after(self, _Note note, Py_ssize_t j)
    cpdef object _name(self, _Note note, Py_ssize_t j, bint listed_only=*, bint cued=*)
    cpdef bint could_be_name(self, str token)
    cpdef bint _verb_like(self, str word)
    cpdef bint _near_word(self, str token)
    cpdef bint _slip(self, str token)
    cpdef tuple _neutral(self, _Note note, tuple span)


cdef class _Note:
    cdef public str text
    cdef public list tokens, low, opening
    cdef public bint capitals

    cpdef bint age_and_sex(self, Py_ssize_t k, frozenset letters)
    cpdef bint capitalised(self, Py_ssize_t k)
    cpdef bint joined(self, Py_ssize_t k)
    cpdef bint sentence_start(self, Py_ssize_t k)
