/* table.h - text tables with aligned columns, as `berth list` prints them. */
#ifndef BERTH_CLI_TABLE_H
#define BERTH_CLI_TABLE_H

#include <stdio.h>

struct table {
	unsigned ncols, nrows, cap; /* cap: rows allocated */
	char **cells;		    /* nrows * ncols copies, row by row */
};

/* An empty table of ncols columns (no allocation yet). */
void table_init(struct table *t, unsigned ncols);

/* Append a row of t->ncols cells (copied; NULL prints as "-"); -1 when out of memory. */
int table_add(struct table *t, const char *const *cells);

/* Print every row, each column padded to its widest cell plus two spaces, the last
 * column unpadded, no trailing blanks. */
void table_print(const struct table *t, FILE *out);

/* Release the cells. */
void table_free(struct table *t);

#endif
