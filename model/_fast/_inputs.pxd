# C types of the compiled model/_inputs.py (Cython's "augmenting .pxd"): the functions
# declared here are called from C with typed arguments and locals, and the .py stays the
# pure-Python reference. A closure (a generator expression) cannot sit inside one.
cimport cython


@cython.locals(i=Py_ssize_t, marks=dict, known=dict, words=list, index=list, word=str)
cpdef object _feature_words(object analysis)
