# C types of the compiled model/_text.py (Cython's "augmenting .pxd"): its classes become
# extension types with typed attributes, the methods and functions declared here are called
# from C with typed arguments and locals, and the .py stays the pure-Python reference. Every
# attribute a class sets must be declared here; `public` keeps each readable from Python.
# A closure (a generator expression) cannot sit inside a function declared here.
cimport cython


@cython.locals(k=Py_ssize_t, last=Py_ssize_t, start=Py_ssize_t, end=Py_ssize_t, n=Py_ssize_t,
               words=list, starts=list, ends=list, identity_spans=list, corrections=list,
               special=bint, text=str)
cpdef object to_terms(list tokens, object lexicon, dict cache=*, list persons=*)
