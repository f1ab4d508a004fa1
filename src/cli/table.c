/* table.c - rows of strings printed as aligned columns. */
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, unsigned ncols)
{
	*t = (struct table){ .ncols = ncols };
}

int table_add(struct table *t, const char *const *cells)
{
	unsigned i;
	char **row;

	if (t->nrows == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 8;
		char **grown = reallocarray(t->cells, (size_t)cap * t->ncols, sizeof(*grown));

		if (!grown)
			return -1;
		t->cells = grown;
		t->cap = cap;
	}
	row = t->cells + (size_t)t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "-");
		if (!row[i]) {
			while (i--)
				free(row[i]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

void table_print(const struct table *t, FILE *out)
{
	size_t width[t->ncols ? t->ncols : 1];
	unsigned r, c;

	for (c = 0; c < t->ncols; c++) {
		width[c] = 0;
		for (r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->cells[(size_t)r * t->ncols + c]);

			width[c] = n > width[c] ? n : width[c];
		}
	}
	for (r = 0; r < t->nrows; r++) {
		char **row = t->cells + (size_t)r * t->ncols;
		size_t pending = 0; /* blanks owed before the next cell: none at line end */

		for (c = 0; c < t->ncols; c++) {
			if (row[c][0] == '\0') {
				pending += width[c] + 2;
				continue;
			}
			fprintf(out, "%*s%s", (int)pending, "", row[c]);
			pending = width[c] - strlen(row[c]) + 2;
		}
		fputc('\n', out);
	}
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	table_init(t, t->ncols);
}
