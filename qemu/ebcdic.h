/*
 * ebcdic.h: QEMU's ASCII <-> EBCDIC conversion (hw/s390x/ebcdic.h)
 *
 * The guest sees certificate names (spec/02 §3.1) and loadparm values
 * (spec/02 §8.1) in EBCDIC; converting with QEMU's own tables keeps those
 * bytes identical to upstream's, including its substitutions (bytes 0x80 and
 * up mostly become 0x3F).
 */
#ifndef SIPL_QEMU_EBCDIC_H
#define SIPL_QEMU_EBCDIC_H

#include <stddef.h>
#include <stdint.h>

#define EBCDIC_BLANK 0x40

/**
 * ebcdic_from_ascii:
 * @dst: @len output bytes
 * @src: @len ASCII bytes (any byte value; NUL is converted, not a terminator)
 * @len: number of bytes
 *
 * Converts byte by byte with QEMU's ascii2ebcdic table.
 */
void ebcdic_from_ascii(uint8_t *dst, const char *src, size_t len);

/**
 * ebcdic_to_ascii:
 * @dst: @len output bytes (not NUL-terminated)
 * @src: @len EBCDIC bytes
 * @len: number of bytes
 *
 * Converts byte by byte with QEMU's ebcdic2ascii table.
 */
void ebcdic_to_ascii(char *dst, const uint8_t *src, size_t len);

/**
 * ebcdic_from_ascii_padded:
 * @dst: @dst_len output bytes
 * @dst_len: size of the field
 * @str: NUL-terminated ASCII string
 *
 * Left-justifies @str in the field, padding on the right with blanks or
 * truncating at @dst_len bytes (QEMU's strpadcpy with ' '), then converts
 * to EBCDIC, so padding becomes 0x40.
 */
void ebcdic_from_ascii_padded(uint8_t *dst, size_t dst_len, const char *str);

#endif /* SIPL_QEMU_EBCDIC_H */
