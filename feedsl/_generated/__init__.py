"""Modules loaded by :func:`feedsl.load` live here, so their classes pickle.

Each is registered in ``sys.modules`` as ``feedsl._generated.<regulation>_<digest>``
(the digest keys the file's text and the compiler); nothing is imported from this
directory, which holds no other file.
"""
