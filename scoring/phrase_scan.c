/* The phrase matcher's scan in C: scoring.cues.PhraseMatcher's regex, run as the same trie walk.
 *
 * The regex is "[^0-9a-z_](?=(TRIE))" searched over " " + text: at every phrase start (the text's start,
 * or after a character that is not an ASCII lowercase letter, digit or underscore) the trie is walked
 * depth first, trying each node's edges in order and the phrase end "(?!\w)" last; the first complete path
 * is the match, as the regex engine's backtracking finds it. Every edge is a sequence of steps: a
 * character, an optional apostrophe, a separator run "[\s,;:/-]+", a word "[\w'&]+", or up to three words
 * each followed by a separator "(?:[\w'&]+[\s,;:/-]+){0,3}". Runs are greedy and give back one character
 * at a time, as the regex engine's do. \w and \s are Python's Unicode classes (str.isalnum() or "_";
 * str.isspace()), as in the regex.
 *
 * Scanner(nodes) takes the trie as a tuple of nodes, each (has_end, edges), each edge (steps, child node);
 * a step is a code point, or one of the negative codes below. Scanner.scan(text) returns the (start, end)
 * of each phrase found, in text order: what the regex's matches give as (m.start(), m.end(1) - 1).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { APOSTROPHE = -1, SEPARATOR = -2, WORD = -3, UP_TO_THREE_WORDS = -4 };
#define MAX_REPEAT 3

/* The trie lives in three flat arrays, nodes in depth-first order, so that a walk down one path reads
 * memory that lies close together: the walk is bound by memory reads, not by comparisons. */
typedef struct {
    int32_t first;  /* steps[0], kept here: most edges fail on their first character */
    int32_t size;
    Py_ssize_t steps;  /* offset in Scanner.steps */
    Py_ssize_t child;
} Edge;

typedef struct {
    int32_t has_end;
    int32_t size;
    Py_ssize_t edges;  /* offset in Scanner.edges */
} Node;

typedef struct {
    PyObject_HEAD
    Py_ssize_t size;
    Node *nodes;
    Edge *edges;
    int32_t *steps;
    /* The root's edge for each ASCII character (-1: none). Every phrase start walks from the root, and
     * an edge's first character is unique among a node's edges (a unit's alternatives, which share a
     * node, all start with a separator or an apostrophe), so one lookup replaces a scan of its edges. */
    int32_t root_edge[128];
} Scanner;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
    const Scanner *trie;
} Text;

static inline Py_UCS4 at(const Text *t, Py_ssize_t i) { return PyUnicode_READ(t->kind, t->data, i); }

static inline int is_word(Py_UCS4 c) {
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static inline int is_separator(Py_UCS4 c) {
    return Py_UNICODE_ISSPACE(c) || c == ',' || c == ';' || c == ':' || c == '/' || c == '-';
}

static inline int in_word(Py_UCS4 c) { return is_word(c) || c == '\'' || c == '&'; }

static Py_ssize_t walk_node(const Text *t, Py_ssize_t pos, Py_ssize_t node);

/* The length of the run of characters of one class at pos. */
static inline Py_ssize_t run_of(const Text *t, Py_ssize_t pos, int (*in_class)(Py_UCS4)) {
    Py_ssize_t run = 0;
    while (pos + run < t->length && in_class(at(t, pos + run)))
        run++;
    return run;
}

/* Match steps[i:] of an edge at pos, then its child node; return the phrase's end, or -1. */
static Py_ssize_t walk_steps(const Text *t, Py_ssize_t pos, const Edge *edge, int32_t i, int repeat) {
    const int32_t *steps = &t->trie->steps[edge->steps];
    for (; i < edge->size && steps[i] >= 0; i++, pos++) {  /* characters leave nothing to go back to */
        if (pos >= t->length || at(t, pos) != (Py_UCS4)steps[i])
            return -1;
    }
    if (i == edge->size)
        return walk_node(t, pos, edge->child);
    int32_t step = steps[i];
    Py_ssize_t run, found;
    switch (step) {
    case APOSTROPHE:
        if (pos < t->length && at(t, pos) == '\'') {
            found = walk_steps(t, pos + 1, edge, i + 1, 0);
            if (found >= 0)
                return found;
        }
        return walk_steps(t, pos, edge, i + 1, 0);
    case SEPARATOR:
    case WORD:  /* the whole run first, then one character less at a time */
        for (run = run_of(t, pos, step == WORD ? in_word : is_separator); run > 0; run--) {
            found = walk_steps(t, pos + run, edge, i + 1, 0);
            if (found >= 0)
                return found;
        }
        return -1;
    case UP_TO_THREE_WORDS:
        if (repeat < MAX_REPEAT) {  /* another word and separator first: the repeat is greedy */
            for (Py_ssize_t word = run_of(t, pos, in_word); word > 0; word--) {
                for (Py_ssize_t sep = run_of(t, pos + word, is_separator); sep > 0; sep--) {
                    found = walk_steps(t, pos + word + sep, edge, i, repeat + 1);
                    if (found >= 0)
                        return found;
                }
            }
        }
        return walk_steps(t, pos, edge, i + 1, 0);
    default:  /* Scanner_init refuses any other step */
        return -1;
    }
}

static Py_ssize_t walk_node(const Text *t, Py_ssize_t pos, Py_ssize_t index) {
    const Node *node = &t->trie->nodes[index];
    const Edge *edges = &t->trie->edges[node->edges];
    int32_t next = pos < t->length ? (int32_t)at(t, pos) : -1;
    int32_t e = 0;
    if (index == 0 && next >= 0 && next < 128) {
        int32_t only = t->trie->root_edge[next];
        if (only >= 0) {
            Py_ssize_t found = walk_steps(t, pos, &edges[only], 0, 0);
            if (found >= 0)
                return found;
        }
        while (e < node->size && edges[e].first >= 0)  /* characters first: _emit's order */
            e++;
    }
    for (; e < node->size; e++) {
        int32_t first = edges[e].first;
        if (first >= 0 && first != next)
            continue;  /* the common case: a character that does not match */
        Py_ssize_t found = walk_steps(t, pos, &edges[e], 0, 0);
        if (found >= 0)
            return found;
    }
    if (node->has_end && (next < 0 || !is_word((Py_UCS4)next)))
        return pos;
    return -1;
}

static PyObject *Scanner_scan(Scanner *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "scan() expects str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), self};
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    if (self->size == 0)
        return found;
    for (Py_ssize_t start = 0; start < t.length; start++) {
        if (start > 0) {
            Py_UCS4 before = at(&t, start - 1);
            if ((before >= 'a' && before <= 'z') || (before >= '0' && before <= '9') || before == '_')
                continue;
        }
        Py_ssize_t end = walk_node(&t, start, 0);
        if (end < 0)
            continue;
        PyObject *span = Py_BuildValue("(nn)", start, end);
        if (span == NULL || PyList_Append(found, span) < 0) {
            Py_XDECREF(span);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(span);
    }
    return found;
}

static void Scanner_free(Scanner *self) {
    PyMem_Free(self->nodes);
    PyMem_Free(self->edges);
    PyMem_Free(self->steps);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Count the trie's edges and steps, checking the shape of every node; return -1 with an exception set. */
static int measure(PyObject *nodes, Py_ssize_t *edges, Py_ssize_t *steps) {
    *edges = *steps = 0;
    for (Py_ssize_t n = 0; n < PyTuple_GET_SIZE(nodes); n++) {
        PyObject *node = PyTuple_GET_ITEM(nodes, n), *node_edges;
        int has_end;
        if (!PyTuple_Check(node) || !PyArg_ParseTuple(node, "pO!", &has_end, &PyTuple_Type, &node_edges))
            return -1;
        for (Py_ssize_t e = 0; e < PyTuple_GET_SIZE(node_edges); e++) {
            PyObject *edge = PyTuple_GET_ITEM(node_edges, e), *edge_steps;
            Py_ssize_t child;
            if (!PyTuple_Check(edge) || !PyArg_ParseTuple(edge, "O!n", &PyTuple_Type, &edge_steps, &child))
                return -1;
            if (child < 0 || child >= PyTuple_GET_SIZE(nodes) || PyTuple_GET_SIZE(edge_steps) == 0) {
                PyErr_SetString(PyExc_ValueError, "an edge has no steps or leads to no node");
                return -1;
            }
            *edges += 1;
            *steps += PyTuple_GET_SIZE(edge_steps);
        }
    }
    return 0;
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwargs) {
    PyObject *nodes;
    Py_ssize_t edge_count, step_count, edge = 0, step = 0;
    if (self->nodes != NULL) {
        PyErr_SetString(PyExc_TypeError, "a Scanner is initialized once");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O!:Scanner", &PyTuple_Type, &nodes) || measure(nodes, &edge_count, &step_count) < 0)
        return -1;
    Py_ssize_t size = PyTuple_GET_SIZE(nodes);
    self->nodes = PyMem_New(Node, size + 1);
    self->edges = PyMem_New(Edge, edge_count + 1);
    self->steps = PyMem_New(int32_t, step_count + 1);
    if (self->nodes == NULL || self->edges == NULL || self->steps == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t n = 0; n < size; n++) {
        PyObject *node = PyTuple_GET_ITEM(nodes, n);
        PyObject *node_edges = PyTuple_GET_ITEM(node, 1);
        self->nodes[n].has_end = PyObject_IsTrue(PyTuple_GET_ITEM(node, 0));
        self->nodes[n].size = (int32_t)PyTuple_GET_SIZE(node_edges);
        self->nodes[n].edges = edge;
        for (Py_ssize_t e = 0; e < PyTuple_GET_SIZE(node_edges); e++, edge++) {
            PyObject *steps = PyTuple_GET_ITEM(PyTuple_GET_ITEM(node_edges, e), 0);
            Edge *out = &self->edges[edge];
            out->child = PyLong_AsSsize_t(PyTuple_GET_ITEM(PyTuple_GET_ITEM(node_edges, e), 1));
            out->size = (int32_t)PyTuple_GET_SIZE(steps);
            out->steps = step;
            for (Py_ssize_t s = 0; s < out->size; s++, step++) {
                long value = PyLong_AsLong(PyTuple_GET_ITEM(steps, s));
                if (value == -1 && PyErr_Occurred())
                    return -1;
                if (value < UP_TO_THREE_WORDS || value > 0x10FFFF) {
                    PyErr_Format(PyExc_ValueError, "unknown step %ld", value);
                    return -1;
                }
                self->steps[step] = (int32_t)value;
            }
            out->first = self->steps[out->steps];
        }
    }
    self->size = size;
    for (int c = 0; c < 128; c++)
        self->root_edge[c] = -1;
    for (int32_t e = 0; size > 0 && e < self->nodes[0].size; e++) {
        int32_t first = self->edges[e].first;
        if (first >= 0 && first < 128) {
            if (self->root_edge[first] >= 0) {
                PyErr_Format(PyExc_ValueError, "two edges of the root start with %c", (char)first);
                return -1;
            }
            self->root_edge[first] = e;
        }
    }
    return 0;
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_O, "Return (start, end) of each phrase found in the text."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "scoring.phrase_scan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_dealloc = (destructor)Scanner_free,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The phrase trie, walked at every phrase start of a text.",
    .tp_methods = Scanner_methods,
    .tp_init = (initproc)Scanner_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "phrase_scan", "The phrase matcher's trie walk in C.", -1, NULL,
};

PyMODINIT_FUNC PyInit_phrase_scan(void) {
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
