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
 * a step is a code point, or one of the negative codes below. Scanner.find(text, spellings, resolve) returns
 * (start, end, families) for each phrase found, in text order: (start, end) are what the regex's matches give
 * as (m.start(), m.end(1) - 1), and families is spellings[text[start:end]], or, when that is missing or
 * empty, resolve(text, start, end).
 *
 * WordTable(words, no_apostrophe, not_at_start) holds words, each with the bits of the categories it
 * belongs to (at most 30). WordTable.first(text, quoted, starts) reads the text's words once and
 * returns, per category, the (start, end) of its first word, or None: what the regex
 * r"\W(?:WORDS)\b" finds searched over "\n" + text, as (m.start(), m.end() - 1), followed by "(?!')"
 * for the categories in no_apostrophe. A word is a whole run of \w, since \b ends a match only there,
 * or such runs joined by apostrophes ("let's").
 * Words that share a character with a span of `quoted` do not count, nor, for the categories in
 * not_at_start, words that start at an offset in the set `starts`.
 * WordTable.starts(text, start, end) returns the offsets in [start, end) where a word of the table starts,
 * reading the text as if it ended at `end` (as a regex searching text[:end] sees it): a whole run of \w
 * that is a table word, or for the categories in `prefixes` a run that begins with one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { APOSTROPHE = -1, SEPARATOR = -2, WORD = -3, UP_TO_THREE_WORDS = -4 };
#define MAX_REPEAT 3

/* The trie lives in flat arrays, so that a walk down one path reads memory that lies close together: the
 * walk is bound by memory reads, not by comparisons. */
typedef struct {
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
    /* Each edge's first step, apart: most edges fail on their first character, and a node's edges are
     * tried one after another, so their first steps lie side by side. */
    int32_t *firsts;
    int32_t *steps;
    /* The root's edge for each ASCII character (-1: none). Every phrase start walks from the root, and
     * an edge's first character is unique among a node's edges (a unit's alternatives, which share a
     * node, all start with a separator or an apostrophe), so one lookup replaces a scan of its edges. */
    int32_t root_edge[128];
    int32_t root_rest;  /* the root's first edge that does not start with a character */
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

/* A tuple of `size` new references, which it steals; NULL (the others released) if one is NULL or on failure.
 * Cheaper than Py_BuildValue, which parses its format on every call. */
static PyObject *tuple_of(Py_ssize_t size, PyObject **items) {
    PyObject *tuple = NULL;
    for (Py_ssize_t i = 0; i < size; i++)
        if (items[i] == NULL)
            goto failed;
    if ((tuple = PyTuple_New(size)) == NULL)
        goto failed;
    for (Py_ssize_t i = 0; i < size; i++)
        PyTuple_SET_ITEM(tuple, i, items[i]);
    return tuple;
failed:
    for (Py_ssize_t i = 0; i < size; i++)
        Py_XDECREF(items[i]);
    return NULL;
}

/* The tuple (start, end). */
static PyObject *span_of(Py_ssize_t start, Py_ssize_t end) {
    PyObject *items[2] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(end)};
    return tuple_of(2, items);
}

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
    const int32_t *firsts = &t->trie->firsts[node->edges];
    int32_t next = pos < t->length ? (int32_t)at(t, pos) : -1;
    int32_t e = 0;
    if (index == 0 && next >= 0 && next < 128) {
        int32_t only = t->trie->root_edge[next];
        if (only >= 0) {
            Py_ssize_t found = walk_steps(t, pos, &edges[only], 0, 0);
            if (found >= 0)
                return found;
        }
        e = t->trie->root_rest;  /* characters first: _emit's order */
    }
    for (; e < node->size; e++) {
        int32_t first = firsts[e];
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

/* One phrase found: (start, end, families), the families being spellings[text[start:end]] or, when that is
 * missing or empty, resolve(text, start, end). */
static PyObject *phrase_found(PyObject *text, Py_ssize_t start, Py_ssize_t end, PyObject *spellings,
                              PyObject *resolve) {
    PyObject *matched = PyUnicode_Substring(text, start, end);
    if (matched == NULL)
        return NULL;
    PyObject *families = PyDict_GetItemWithError(spellings, matched);  /* borrowed */
    Py_DECREF(matched);
    if (families == NULL && PyErr_Occurred())
        return NULL;
    int known = families != NULL ? PyObject_IsTrue(families) : 0;
    if (known < 0)
        return NULL;
    if (known)
        Py_INCREF(families);
    else if ((families = PyObject_CallFunction(resolve, "Onn", text, start, end)) == NULL)
        return NULL;
    PyObject *hit[3] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(end), families};
    return tuple_of(3, hit);
}

static PyObject *Scanner_find(Scanner *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyDict_Check(args[1]) || !PyCallable_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "find() expects a str, a dict of spellings and a callable");
        return NULL;
    }
    PyObject *text = args[0], *spellings = args[1], *resolve = args[2];
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
        PyObject *hit = phrase_found(text, start, end, spellings, resolve);
        if (hit == NULL || PyList_Append(found, hit) < 0) {
            Py_XDECREF(hit);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(hit);
    }
    return found;
}

static void Scanner_free(Scanner *self) {
    PyMem_Free(self->nodes);
    PyMem_Free(self->edges);
    PyMem_Free(self->firsts);
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
    self->firsts = PyMem_New(int32_t, edge_count + 1);
    self->steps = PyMem_New(int32_t, step_count + 1);
    if (self->nodes == NULL || self->edges == NULL || self->firsts == NULL || self->steps == NULL) {
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
            self->firsts[edge] = self->steps[out->steps];
        }
    }
    self->size = size;
    for (int c = 0; c < 128; c++)
        self->root_edge[c] = -1;
    for (int32_t e = 0; size > 0 && e < self->nodes[0].size; e++) {
        int32_t first = self->firsts[e];
        if (first >= 0 && first < 128) {
            if (self->root_edge[first] >= 0) {
                PyErr_Format(PyExc_ValueError, "two edges of the root start with %c", (char)first);
                return -1;
            }
            self->root_edge[first] = e;
        }
    }
    while (size > 0 && self->root_rest < self->nodes[0].size && self->firsts[self->root_rest] >= 0)
        self->root_rest++;
    return 0;
}

static PyMethodDef Scanner_methods[] = {
    {"find", (PyCFunction)(void (*)(void))Scanner_find, METH_FASTCALL,
     "find(text, spellings, resolve): return (start, end, families) of each phrase found in the text."},
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

/* -- Word tables ------------------------------------------------------------------------------- */

#define MAX_CATEGORIES 30
#define MAX_PARTS 4  /* words joined by apostrophes: "let's", "y'all'd've" */

typedef struct {
    uint64_t hash;
    Py_ssize_t length;  /* 0: an empty slot */
    Py_UCS4 *chars;
    int32_t bits;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    Py_ssize_t mask;  /* slots - 1, a power of two less one */
    Py_ssize_t longest;
    int32_t categories, no_apostrophe, not_at_start, prefixes;
    uint64_t prefix_lengths;  /* bit n: a word of n characters in a prefix category */
    int apostrophes;  /* some word holds an apostrophe */
} WordTable;

/* Words are hashed by FNV-1a over their code points: HASH_START, then mix() for each. */
#define HASH_START 0xcbf29ce484222325ULL
static inline uint64_t mix(uint64_t hash, Py_UCS4 c) { return (hash ^ c) * 0x100000001b3ULL; }

static const Slot *lookup(const WordTable *table, uint64_t hash, const Text *t, Py_ssize_t start,
                          Py_ssize_t length) {
    for (Py_ssize_t i = (Py_ssize_t)(hash & (uint64_t)table->mask);; i = (i + 1) & table->mask) {
        const Slot *slot = &table->slots[i];
        if (slot->length == 0)
            return NULL;
        if (slot->hash == hash && slot->length == length) {
            Py_ssize_t k = 0;
            while (k < length && slot->chars[k] == at(t, start + k))
                k++;
            if (k == length)
                return slot;
        }
    }
}

/* Read `quoted` (a sequence of (start, end)) into a new array; return -1 with an exception set. */
static Py_ssize_t read_spans(PyObject *quoted, Py_ssize_t **out) {
    PyObject *items = PySequence_Fast(quoted, "quoted must be a sequence of (start, end)");
    if (items == NULL)
        return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(items);
    *out = PyMem_New(Py_ssize_t, 2 * count + 1);
    if (*out == NULL) {
        Py_DECREF(items);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(items, i), "nn", &(*out)[2 * i], &(*out)[2 * i + 1])) {
            PyMem_Free(*out);
            Py_DECREF(items);
            return -1;
        }
    }
    Py_DECREF(items);
    return count;
}

/* The category bits of the word at [start, end) that count there; -1 with an exception set. */
static int32_t counted(const WordTable *self, const Text *t, Py_ssize_t start, Py_ssize_t end, uint64_t hash,
                       int32_t wanted, const Py_ssize_t *spans, Py_ssize_t count, PyObject *starts) {
    const Slot *slot = end - start <= self->longest ? lookup(self, hash, t, start, end - start) : NULL;
    int32_t bits = slot ? slot->bits & wanted : 0;
    if (bits && end < t->length && at(t, end) == '\'')
        bits &= ~self->no_apostrophe;
    for (Py_ssize_t q = 0; bits && q < count; q++) {
        if (spans[2 * q] < end && start < spans[2 * q + 1])
            bits = 0;
    }
    if (bits & self->not_at_start) {
        PyObject *offset = PyLong_FromSsize_t(start);
        int at_start = offset ? PySet_Contains(starts, offset) : -1;
        Py_XDECREF(offset);
        if (at_start < 0)
            return -1;
        if (at_start)
            bits &= ~self->not_at_start;
    }
    return bits;
}

static PyObject *WordTable_first(WordTable *self, PyObject *args) {
    PyObject *text, *quoted, *starts;
    if (!PyArg_ParseTuple(args, "UOO!:first", &text, &quoted, &PySet_Type, &starts))
        return NULL;
    Py_ssize_t *spans, count = read_spans(quoted, &spans);
    if (count < 0)
        return NULL;
    PyObject *found = PyTuple_New(self->categories);
    if (found == NULL) {
        PyMem_Free(spans);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL};
    int32_t wanted = (int32_t)((1u << self->categories) - 1);
    for (Py_ssize_t start = 0; start < t.length && wanted; start++) {
        if (!is_word(at(&t, start)) || (start > 0 && is_word(at(&t, start - 1))))
            continue;
        /* The word, and with apostrophe words also the word joined to the next ones ("let" "let's"):
         * a regex alternation tries the longer first. */
        Py_ssize_t ends[MAX_PARTS], end = start;
        uint64_t hashes[MAX_PARTS], hash = HASH_START;
        int parts = 0;
        for (;;) {
            for (; end < t.length && is_word(at(&t, end)); end++)
                hash = mix(hash, at(&t, end));
            ends[parts] = end;
            hashes[parts++] = hash;
            if (!self->apostrophes || parts == MAX_PARTS || end - start >= self->longest || end + 1 >= t.length
                || at(&t, end) != '\'' || !is_word(at(&t, end + 1)))
                break;
            hash = mix(hash, '\'');
            end++;
        }
        for (int part = parts - 1; part >= 0 && wanted; part--) {
            int32_t bits = counted(self, &t, start, ends[part], hashes[part], wanted, spans, count, starts);
            if (bits < 0) {
                PyMem_Free(spans);
                Py_DECREF(found);
                return NULL;
            }
            for (int32_t c = 0; bits; c++, bits >>= 1) {
                if (!(bits & 1))
                    continue;
                PyObject *span = span_of(start, ends[part]);
                if (span == NULL) {
                    PyMem_Free(spans);
                    Py_DECREF(found);
                    return NULL;
                }
                PyTuple_SET_ITEM(found, c, span);
                wanted &= ~(1 << c);
            }
        }
        start = ends[0];  /* a non-word character: no word starts there */
    }
    PyMem_Free(spans);
    for (int32_t c = 0; c < self->categories; c++) {
        if (PyTuple_GET_ITEM(found, c) == NULL)
            PyTuple_SET_ITEM(found, c, Py_NewRef(Py_None));
    }
    return found;
}

static PyObject *WordTable_starts(WordTable *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "Unn:starts", &text, &lo, &hi))
        return NULL;
    if (self->apostrophes) {
        PyErr_SetString(PyExc_ValueError, "starts() reads single words: this table joins words by apostrophes");
        return NULL;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    lo = lo < 0 ? 0 : lo;
    hi = hi > length ? length : hi;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), hi, NULL};  /* the text read as ending at hi */
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    for (Py_ssize_t start = lo; start < hi; start++) {
        if (!is_word(at(&t, start)) || (start > 0 && is_word(at(&t, start - 1))))
            continue;
        uint64_t hash = HASH_START;
        const Slot *slot = NULL;
        Py_ssize_t end = start;
        for (; end < hi && is_word(at(&t, end)); end++) {
            hash = mix(hash, at(&t, end));
            Py_ssize_t size = end + 1 - start;
            if (slot == NULL && size < 64 && (self->prefix_lengths >> size & 1) && end + 1 < hi
                && is_word(at(&t, end + 1))) {  /* a prefix word at the start of a longer one */
                slot = lookup(self, hash, &t, start, size);
                if (slot != NULL && !(slot->bits & self->prefixes))
                    slot = NULL;
            }
        }
        if (slot == NULL && end - start <= self->longest)
            slot = lookup(self, hash, &t, start, end - start);
        if (slot != NULL) {
            PyObject *offset = PyLong_FromSsize_t(start);
            if (offset == NULL || PyList_Append(found, offset) < 0) {
                Py_XDECREF(offset);
                Py_DECREF(found);
                return NULL;
            }
            Py_DECREF(offset);
        }
        start = end;
    }
    return found;
}

static void WordTable_free(WordTable *self) {
    for (Py_ssize_t i = 0; self->slots != NULL && i <= self->mask; i++)
        PyMem_Free(self->slots[i].chars);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int WordTable_init(WordTable *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"words", "no_apostrophe", "not_at_start", "prefixes", NULL};
    PyObject *words, *word, *value;
    int no_apostrophe = 0, not_at_start = 0, prefixes = 0;
    if (self->slots != NULL) {
        PyErr_SetString(PyExc_TypeError, "a WordTable is initialized once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|iii:WordTable", keywords, &PyDict_Type, &words,
                                     &no_apostrophe, &not_at_start, &prefixes))
        return -1;
    Py_ssize_t size = 16;
    while (size < 2 * PyDict_GET_SIZE(words))
        size *= 2;
    self->slots = PyMem_New(Slot, size);
    if (self->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(self->slots, 0, sizeof(Slot) * size);
    self->mask = size - 1;
    int32_t all = 0;
    for (Py_ssize_t pos = 0; PyDict_Next(words, &pos, &word, &value);) {
        long bits = PyLong_Check(value) ? PyLong_AsLong(value) : -1;
        Py_ssize_t length = PyUnicode_Check(word) ? PyUnicode_GET_LENGTH(word) : 0;
        if (length == 0 || bits <= 0 || bits >= (1L << MAX_CATEGORIES)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "expected a word and its category bits (1 to 2**%d - 1), got %R: %R",
                         MAX_CATEGORIES, word, value);
            return -1;
        }
        Text w = {PyUnicode_KIND(word), PyUnicode_DATA(word), length, NULL};
        uint64_t hash = HASH_START;
        int joints = 0;
        for (Py_ssize_t k = 0; k < length; k++) {
            Py_UCS4 c = at(&w, k);
            int joint = c == '\'' && k > 0 && k + 1 < length && at(&w, k - 1) != '\'';
            if (!is_word(c) && !joint) {
                PyErr_Format(PyExc_ValueError, "%R is not a word: only word characters, and apostrophes "
                             "between them, can be", word);
                return -1;
            }
            joints += joint;
            hash = mix(hash, c);
        }
        if (joints >= MAX_PARTS) {
            PyErr_Format(PyExc_ValueError, "%R joins more than %d words", word, MAX_PARTS);
            return -1;
        }
        self->apostrophes |= joints > 0;
        if (bits & prefixes) {
            if (length >= 64) {
                PyErr_Format(PyExc_ValueError, "%R: a prefix word has at most 63 characters", word);
                return -1;
            }
            self->prefix_lengths |= 1ULL << length;
        }
        Py_ssize_t i = (Py_ssize_t)(hash & (uint64_t)self->mask);
        while (self->slots[i].length != 0)  /* dict keys differ: no word is stored twice */
            i = (i + 1) & self->mask;
        Slot *slot = &self->slots[i];
        slot->chars = PyUnicode_AsUCS4Copy(word);
        if (slot->chars == NULL)
            return -1;
        slot->hash = hash;
        slot->length = length;
        slot->bits = (int32_t)bits;
        if (length > self->longest)
            self->longest = length;
        all |= (int32_t)bits;
    }
    while (all >> self->categories)
        self->categories++;
    self->no_apostrophe = no_apostrophe;
    self->not_at_start = not_at_start;
    self->prefixes = prefixes;
    return 0;
}

static PyMethodDef WordTable_methods[] = {
    {"first", (PyCFunction)WordTable_first, METH_VARARGS,
     "first(text, quoted, starts): per category, the (start, end) of its first word in the text, or None."},
    {"starts", (PyCFunction)WordTable_starts, METH_VARARGS,
     "starts(text, start, end): the offsets in [start, end) where a word of the table starts."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "scoring.phrase_scan.WordTable",
    .tp_basicsize = sizeof(WordTable),
    .tp_dealloc = (destructor)WordTable_free,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Whole words by category, looked up in one pass over a text.",
    .tp_methods = WordTable_methods,
    .tp_init = (initproc)WordTable_init,
    .tp_new = PyType_GenericNew,
};

/* -- Negation scope ------------------------------------------------------------------------------ */

/* negated_before(words, text, start, reach, window) tells whether a negator governs the words at `start`, as
 * scoring.cues.python_negated_before does. `words` is a WordTable of single words in six categories, in
 * this order: contrast, new clause, subject, negator, idiom after a negator, conditional. The clause is the
 * text after the last of . , ! ? ; : newline or double quote among the `reach` characters before start;
 * its words are the runs of \w and apostrophes there (the regex "[\w']+" searched from the clause's start,
 * the text read as ending at start), the last window + 3 of them counted. */
enum { CONTRAST = 1, NEW_CLAUSE = 2, SUBJECT = 4, NEGATOR = 8, IDIOM_NEXT = 16, CONDITIONAL = 32 };
#define NEGATION_WORDS 64

static inline int is_clause_break(Py_UCS4 c) {
    return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n' || c == '"';
}
static inline int in_negation_word(Py_UCS4 c) { return is_word(c) || c == '\''; }

static PyObject *negated_before(PyObject *module, PyObject *args) {
    WordTable *table;
    PyObject *text;
    Py_ssize_t start, reach, window;
    if (!PyArg_ParseTuple(args, "O!Unnn:negated_before", &WordTableType, &table, &text, &start, &reach, &window))
        return NULL;
    if (window < 1 || window + 3 > NEGATION_WORDS) {
        PyErr_Format(PyExc_ValueError, "window must be 1 to %d", NEGATION_WORDS - 3);
        return NULL;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    start = start < 0 ? 0 : (start > length ? length : start);
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), start, NULL};  /* read as ending at start */
    Py_ssize_t left = start - reach < 0 ? 0 : start - reach;
    for (Py_ssize_t pos = start - 1; pos >= left; pos--) {
        if (is_clause_break(at(&t, pos))) {
            left = pos + 1;
            break;
        }
    }
    /* The words from left on, keeping the last window + 3 in a ring. */
    Py_ssize_t starts[NEGATION_WORDS], ends[NEGATION_WORDS], keep = window + 3, count = 0;
    for (Py_ssize_t pos = left; pos < start;) {
        if (!in_negation_word(at(&t, pos))) {
            pos++;
            continue;
        }
        Py_ssize_t end = pos;
        while (end < start && in_negation_word(at(&t, end)))
            end++;
        starts[count % keep] = pos;
        ends[count % keep] = end;
        count++;
        pos = end;
    }
    Py_ssize_t n = count < keep ? count : keep, first = count - n;
    int32_t bits[NEGATION_WORDS];
    int contracted[NEGATION_WORDS];
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t s = starts[(first + i) % keep], e = ends[(first + i) % keep];
        uint64_t hash = HASH_START;
        for (Py_ssize_t k = s; k < e; k++)
            hash = mix(hash, at(&t, k));
        const Slot *slot = e - s <= table->longest ? lookup(table, hash, &t, s, e - s) : NULL;
        bits[i] = slot ? slot->bits : 0;
        contracted[i] = e - s >= 3 && at(&t, e - 3) == 'n' && at(&t, e - 2) == '\'' && at(&t, e - 1) == 't';
    }
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        if ((bits[i] & CONTRAST) || ((bits[i] & NEW_CLAUSE) && i + 1 < n && (bits[i + 1] & SUBJECT)))
            Py_RETURN_FALSE;
        if (n - i > window)
            Py_RETURN_FALSE;
        if ((bits[i] & NEGATOR) || contracted[i]) {
            if (i + 1 < n && (bits[i + 1] & IDIOM_NEXT))
                continue;
            int conditional = 0;
            for (Py_ssize_t k = i > 3 ? i - 3 : 0; k < i; k++)
                conditional |= (bits[k] & CONDITIONAL) != 0;
            if (conditional)
                continue;
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

/* -- Sentiment lexicon ------------------------------------------------------------------------- */

/* Lexicon(valence, negators, intensifiers, contrast, negation_factor, before_contrast, after_contrast) reads
 * scoring.sentiment's word rules; Lexicon.total(low) returns the sum of the valences of the words of a
 * lowercased text, as scoring.sentiment.lexicon_total does: words are the runs of a-z and apostrophes; an
 * intensifier just before a word multiplies its valence, a negator among the three words before it
 * multiplies it by negation_factor, and once the text has the contrast word, each valence is multiplied by
 * before_contrast or after_contrast by its place against the contrast word's first use. */

typedef struct {
    char *word;  /* NULL: an empty slot */
    Py_ssize_t length;
    uint64_t hash;
    double valence, intensifier;  /* 0: none */
    int has_valence, negator, contrast;
} LexiconEntry;

typedef struct {
    PyObject_HEAD
    LexiconEntry *slots;
    Py_ssize_t mask;
    double negation_factor, before_contrast, after_contrast;
} Lexicon;

static inline int in_lexicon_word(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || c == '\''; }

static LexiconEntry *lexicon_slot(Lexicon *self, const char *word, Py_ssize_t length, uint64_t hash) {
    for (Py_ssize_t i = (Py_ssize_t)(hash & (uint64_t)self->mask);; i = (i + 1) & self->mask) {
        LexiconEntry *slot = &self->slots[i];
        if (slot->word == NULL || (slot->hash == hash && slot->length == length
                                   && memcmp(slot->word, word, (size_t)length) == 0))
            return slot;
    }
}

/* The entry of `word` (a str of a-z and apostrophes), made if new; NULL with an exception set. */
static LexiconEntry *lexicon_entry(Lexicon *self, PyObject *word) {
    Py_ssize_t length;
    const char *chars = PyUnicode_Check(word) ? PyUnicode_AsUTF8AndSize(word, &length) : NULL;
    if (chars == NULL || length == 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "expected a word, got %R", word);
        return NULL;
    }
    uint64_t hash = HASH_START;
    for (Py_ssize_t k = 0; k < length; k++) {
        if (!in_lexicon_word((Py_UCS4)(unsigned char)chars[k])) {
            PyErr_Format(PyExc_ValueError, "%R is not a lexicon word: only a-z and apostrophes can be", word);
            return NULL;
        }
        hash = mix(hash, (Py_UCS4)(unsigned char)chars[k]);
    }
    LexiconEntry *slot = lexicon_slot(self, chars, length, hash);
    if (slot->word == NULL) {
        slot->word = PyMem_Malloc((size_t)length);
        if (slot->word == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        memcpy(slot->word, chars, (size_t)length);
        slot->length = length;
        slot->hash = hash;
    }
    return slot;
}

static PyObject *Lexicon_total(Lexicon *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "total() expects str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL};
    const LexiconEntry **words = PyMem_New(const LexiconEntry *, t.length / 2 + 1);
    if (words == NULL)
        return PyErr_NoMemory();
    Py_ssize_t count = 0, contrast_at = -1;
    int any_valence = 0;
    char word[64];
    for (Py_ssize_t pos = 0; pos < t.length;) {
        if (!in_lexicon_word(at(&t, pos))) {
            pos++;
            continue;
        }
        Py_ssize_t length = 0;
        uint64_t hash = HASH_START;
        for (; pos < t.length && in_lexicon_word(at(&t, pos)); pos++, length++) {
            if (length < (Py_ssize_t)sizeof word)
                word[length] = (char)at(&t, pos);
            hash = mix(hash, at(&t, pos));
        }
        const LexiconEntry *entry = NULL;
        if (length <= (Py_ssize_t)sizeof word) {
            entry = lexicon_slot(self, word, length, hash);
            if (entry->word == NULL)
                entry = NULL;
        }
        if (entry != NULL && entry->contrast && contrast_at < 0)
            contrast_at = count;
        any_valence |= entry != NULL && entry->has_valence;
        words[count++] = entry;
    }
    double total = 0.0;
    for (Py_ssize_t i = 0; any_valence && i < count; i++) {
        if (words[i] == NULL || !words[i]->has_valence)
            continue;
        double valence = words[i]->valence;
        if (i > 0 && words[i - 1] != NULL && words[i - 1]->intensifier != 0.0)
            valence *= words[i - 1]->intensifier;
        for (Py_ssize_t k = i > 3 ? i - 3 : 0; k < i; k++) {
            if (words[k] != NULL && words[k]->negator) {
                valence *= self->negation_factor;
                break;
            }
        }
        if (contrast_at >= 0)
            valence *= i > contrast_at ? self->after_contrast : self->before_contrast;
        total += valence;
    }
    PyMem_Free(words);
    return PyFloat_FromDouble(total);
}

static void Lexicon_free(Lexicon *self) {
    for (Py_ssize_t i = 0; self->slots != NULL && i <= self->mask; i++)
        PyMem_Free(self->slots[i].word);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Lexicon_init(Lexicon *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"valence", "negators", "intensifiers", "contrast", "negation_factor",
                               "before_contrast", "after_contrast", NULL};
    PyObject *valence, *negators, *intensifiers, *contrast, *word, *value;
    if (self->slots != NULL) {
        PyErr_SetString(PyExc_TypeError, "a Lexicon is initialized once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OO!Uddd:Lexicon", keywords, &PyDict_Type, &valence,
                                     &negators, &PyDict_Type, &intensifiers, &contrast, &self->negation_factor,
                                     &self->before_contrast, &self->after_contrast))
        return -1;
    PyObject *negator_list = PySequence_List(negators);
    if (negator_list == NULL)
        return -1;
    Py_ssize_t size = 16, words = PyDict_GET_SIZE(valence) + PyList_GET_SIZE(negator_list)
                                  + PyDict_GET_SIZE(intensifiers) + 1;
    while (size < 2 * words)
        size *= 2;
    self->slots = PyMem_New(LexiconEntry, size);
    if (self->slots == NULL) {
        Py_DECREF(negator_list);
        PyErr_NoMemory();
        return -1;
    }
    memset(self->slots, 0, sizeof(LexiconEntry) * size);
    self->mask = size - 1;
    LexiconEntry *entry;
    for (Py_ssize_t pos = 0; PyDict_Next(valence, &pos, &word, &value);) {
        double number = PyFloat_AsDouble(value);
        if ((number == -1.0 && PyErr_Occurred()) || (entry = lexicon_entry(self, word)) == NULL) {
            Py_DECREF(negator_list);
            return -1;
        }
        entry->valence = number;
        entry->has_valence = 1;
    }
    for (Py_ssize_t n = 0; n < PyList_GET_SIZE(negator_list); n++) {
        if ((entry = lexicon_entry(self, PyList_GET_ITEM(negator_list, n))) == NULL) {
            Py_DECREF(negator_list);
            return -1;
        }
        entry->negator = 1;
    }
    Py_DECREF(negator_list);
    for (Py_ssize_t pos = 0; PyDict_Next(intensifiers, &pos, &word, &value);) {
        double number = PyFloat_AsDouble(value);
        if ((number == -1.0 && PyErr_Occurred()) || (entry = lexicon_entry(self, word)) == NULL)
            return -1;
        if (number == 0.0) {
            PyErr_Format(PyExc_ValueError, "intensifier %R: a factor of 0 would read as none", word);
            return -1;
        }
        entry->intensifier = number;
    }
    if ((entry = lexicon_entry(self, contrast)) == NULL)
        return -1;
    entry->contrast = 1;
    return 0;
}

static PyMethodDef Lexicon_methods[] = {
    {"total", (PyCFunction)Lexicon_total, METH_O, "Return the sum of the valences of a lowercased text's words."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LexiconType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "scoring.phrase_scan.Lexicon",
    .tp_basicsize = sizeof(Lexicon),
    .tp_dealloc = (destructor)Lexicon_free,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Sentiment words with their valence, negators and intensifiers, read in one pass over a text.",
    .tp_methods = Lexicon_methods,
    .tp_init = (initproc)Lexicon_init,
    .tp_new = PyType_GenericNew,
};

/* -- Sentences ----------------------------------------------------------------------------------- */

static inline int is_lower_ascii(Py_UCS4 c) { return c >= 'a' && c <= 'z'; }
static inline int is_sentence_end(Py_UCS4 c) { return c == '.' || c == '!' || c == '?' || c == '\n'; }
static inline int is_lead(Py_UCS4 c) {
    return Py_UNICODE_ISSPACE(c) || c == '"' || c == '\'' || c == '(' || c == '*' || c == '>' || c == '-';
}
static inline int is_handle(Py_UCS4 c) { return is_word(c) || c == '-'; }
static inline int is_handle_tail(Py_UCS4 c) { return Py_UNICODE_ISSPACE(c) || c == ':' || c == ','; }

/* sentences(text): (word start, word end, whether the end marks hold "?", end) of each sentence that opens
 * with a word, as the matches of the regex
 * r"[\s\"'(*>-]*(?:@[\w-]+[\s:,]*)?([a-z][a-z']*)?[^.!?\n]*([.!?\n]*)" give them: (m.start(1), m.end(1),
 * "?" in m.group(2), m.end()) where group 1 matched. Every part after the first is optional, so the
 * regex's greedy first try is its match. */
static PyObject *sentences(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "sentences() expects str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL};
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    for (Py_ssize_t pos = 0; pos < t.length;) {
        while (pos < t.length && is_lead(at(&t, pos)))
            pos++;
        if (pos + 1 < t.length && at(&t, pos) == '@' && is_handle(at(&t, pos + 1))) {
            for (pos += 2; pos < t.length && is_handle(at(&t, pos)); pos++)
                ;
            while (pos < t.length && is_handle_tail(at(&t, pos)))
                pos++;
        }
        Py_ssize_t word = pos;
        if (pos < t.length && is_lower_ascii(at(&t, pos))) {
            for (pos++; pos < t.length && (is_lower_ascii(at(&t, pos)) || at(&t, pos) == '\''); pos++)
                ;
        }
        Py_ssize_t word_end = pos;
        while (pos < t.length && !is_sentence_end(at(&t, pos)))
            pos++;
        int question = 0;
        for (; pos < t.length && is_sentence_end(at(&t, pos)); pos++)
            question |= at(&t, pos) == '?';
        if (word_end == word)
            continue;
        PyObject *items[4] = {PyLong_FromSsize_t(word), PyLong_FromSsize_t(word_end),
                              Py_NewRef(question ? Py_True : Py_False), PyLong_FromSsize_t(pos)};
        PyObject *sentence = tuple_of(4, items);
        if (sentence == NULL || PyList_Append(found, sentence) < 0) {
            Py_XDECREF(sentence);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(sentence);
    }
    return found;
}

/* sentence_bounds(text, pos): the (start, end) of the sentence holding offset pos. It starts after the
 * last of . ! ? or newline before pos and ends after the first one at or after pos (else at the text's end). */
static PyObject *sentence_bounds(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "sentence_bounds() expects (str, int)");
        return NULL;
    }
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred())
        return NULL;
    Text t = {PyUnicode_KIND(args[0]), PyUnicode_DATA(args[0]), PyUnicode_GET_LENGTH(args[0]), NULL};
    /* Offsets out of range as str.rfind's end reads them (from the end) and re's search (clamped). */
    Py_ssize_t start = pos < 0 ? (pos + t.length < 0 ? 0 : pos + t.length) : (pos > t.length ? t.length : pos);
    Py_ssize_t end = pos < 0 ? 0 : pos;
    while (start > 0 && !is_sentence_end(at(&t, start - 1)))
        start--;
    while (end < t.length && !is_sentence_end(at(&t, end)))
        end++;
    return span_of(start, end < t.length ? end + 1 : t.length);
}

/* specific_spans(text): ([numbers], [names]), the (start, end) of what scoring.cues.python_specific_spans
 * finds: the matches of "[0-9#$£€A-Z](?:(?<=[0-9#$£€])(?<![0-9.][0-9#$£€])[\w./-]*|(?<=[a-z][A-Z])\w*)"
 * (a number or symbol not inside a number, or a capital after a lowercase letter, with the rest of its word)
 * and of "[A-Z](?<=[\w,;:] [A-Z])[a-z]{2,}\b" (a capitalized word after a space inside a sentence). */
static inline int is_upper_ascii(Py_UCS4 c) { return c >= 'A' && c <= 'Z'; }
static inline int is_number_lead(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || c == '#' || c == '$' || c == 0xA3 || c == 0x20AC;
}

static int append_span(PyObject *list, Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = span_of(start, end);
    int failed = span == NULL || PyList_Append(list, span) < 0;
    Py_XDECREF(span);
    return failed ? -1 : 0;
}

static PyObject *specific_spans(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "specific_spans() expects str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL};
    PyObject *numbers = PyList_New(0), *names = PyList_New(0);
    if (numbers == NULL || names == NULL)
        goto failed;
    for (Py_ssize_t pos = 0; pos < t.length;) {
        Py_UCS4 c = at(&t, pos), before = pos > 0 ? at(&t, pos - 1) : 0;
        Py_ssize_t end = pos + 1;
        if (is_number_lead(c) && !(pos > 0 && ((before >= '0' && before <= '9') || before == '.'))) {
            while (end < t.length && (is_word(at(&t, end)) || at(&t, end) == '.' || at(&t, end) == '/'
                                      || at(&t, end) == '-'))
                end++;
        } else if (is_upper_ascii(c) && before >= 'a' && before <= 'z') {
            while (end < t.length && is_word(at(&t, end)))
                end++;
        } else {
            pos++;
            continue;
        }
        if (append_span(numbers, pos, end) < 0)
            goto failed;
        pos = end;
    }
    for (Py_ssize_t pos = 2; pos < t.length; pos++) {
        Py_UCS4 two_before = at(&t, pos - 2);
        if (!is_upper_ascii(at(&t, pos)) || at(&t, pos - 1) != ' '
            || !(is_word(two_before) || two_before == ',' || two_before == ';' || two_before == ':'))
            continue;
        Py_ssize_t end = pos + 1;
        while (end < t.length && at(&t, end) >= 'a' && at(&t, end) <= 'z')
            end++;
        if (end - pos - 1 < 2 || (end < t.length && is_word(at(&t, end))))
            continue;
        if (append_span(names, pos, end) < 0)
            goto failed;
        pos = end - 1;  /* the loop steps past the match */
    }
    PyObject *both[2] = {numbers, names};
    return tuple_of(2, both);
failed:
    Py_XDECREF(numbers);
    Py_XDECREF(names);
    return NULL;
}

/* has_digit(text): whether the text holds an ASCII digit, what the regex "[0-9]" searches for. */
static PyObject *has_digit(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "has_digit() expects str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL};
    for (Py_ssize_t i = 0; i < t.length; i++) {
        Py_UCS4 c = at(&t, i);
        if (c >= '0' && c <= '9')
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef module_functions[] = {
    {"sentences", (PyCFunction)sentences, METH_O,
     "Return (word start, word end, question, end) of each sentence of the text that opens with a word."},
    {"has_digit", (PyCFunction)has_digit, METH_O, "Tell whether the text holds an ASCII digit."},
    {"specific_spans", (PyCFunction)specific_spans, METH_O,
     "Return ([numbers], [names]): the spans of the specifics a customer may give."},
    {"negated_before", (PyCFunction)negated_before, METH_VARARGS,
     "negated_before(words, text, start, reach, window): whether a negator governs the words at start."},
    {"sentence_bounds", (PyCFunction)(void (*)(void))sentence_bounds, METH_FASTCALL,
     "Return the (start, end) of the sentence holding an offset of the text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "phrase_scan", "The phrase matcher's trie walk, word tables, sentences, negation scope, sentiment words, specifics and digits in C.", -1,
    module_functions,
};

PyMODINIT_FUNC PyInit_phrase_scan(void) {
    if (PyType_Ready(&ScannerType) < 0 || PyType_Ready(&WordTableType) < 0 || PyType_Ready(&LexiconType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Scanner", (PyObject *)&ScannerType) < 0
        || PyModule_AddObjectRef(m, "WordTable", (PyObject *)&WordTableType) < 0
        || PyModule_AddObjectRef(m, "Lexicon", (PyObject *)&LexiconType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
