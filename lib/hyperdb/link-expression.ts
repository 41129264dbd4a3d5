import { RupError } from '../errors.js';

/**
 * Roundup's postfix (RPN) expressions over Link and Multilink ids, used in
 * filter values: non-negative numbers are ids, `-1` means "empty", and the
 * operators are `-2` NOT, `-3` AND, `-4` OR. `keyword=1,2,-3,-2` means
 * "not both 1 and 2".
 */
export type LinkExpr =
  | { op: 'id'; id: string }
  | { op: 'empty' }
  | { op: 'not'; arg: LinkExpr }
  | { op: 'and' | 'or'; left: LinkExpr; right: LinkExpr };

const OPERATORS: Record<string, { name: 'not' | 'and' | 'or'; arity: number }> = {
  '-2': { name: 'not', arity: 1 },
  '-3': { name: 'and', arity: 2 },
  '-4': { name: 'or', arity: 2 },
};

/**
 * True when the values form an expression rather than a plain list: as in
 * Roundup, only a number below -1 switches to expression mode.
 */
export function isLinkExpression(values: readonly string[]): boolean {
  return values.some((v) => /^\s*-\d+\s*$/.test(v) && Number(v) < -1);
}

/** Parses an expression, with Roundup's messages naming the operator and its 1-based position. */
export function parseLinkExpression(values: readonly string[]): LinkExpr {
  const stack: LinkExpr[] = [];
  values.forEach((raw, index) => {
    const token = raw.trim();
    const position = index + 1;
    const operator = OPERATORS[token];
    if (operator) {
      if (stack.length < operator.arity) {
        throw new RupError(
          'RUP_ERR_FILTER',
          `The operator ${token} (${operator.name}) at position ${position} has too few arguments.`,
        );
      }
      if (operator.arity === 1) {
        stack.push({ op: 'not', arg: stack.pop()! });
      } else {
        const right = stack.pop()!;
        const left = stack.pop()!;
        stack.push({ op: operator.name as 'and' | 'or', left, right });
      }
    } else if (token === '-1') {
      stack.push({ op: 'empty' });
    } else if (/^\d+$/.test(token)) {
      stack.push({ op: 'id', id: String(Number(token)) });
    } else {
      throw new RupError('RUP_ERR_FILTER', `The value "${token}" at position ${position} is neither an id nor an operator.`);
    }
  });
  if (stack.length === 0) throw new RupError('RUP_ERR_FILTER', 'The expression is empty.');
  if (stack.length > 1) {
    throw new RupError('RUP_ERR_FILTER', `The expression is incomplete: ${stack.length} values are left without an operator.`);
  }
  return stack[0]!;
}

/** Compiles an expression to SQL, given how to test one id and emptiness for the current row. */
export function linkExpressionSql(expr: LinkExpr, atom: { id(id: string): string; empty(): string }): string {
  switch (expr.op) {
    case 'id':
      return atom.id(expr.id);
    case 'empty':
      return atom.empty();
    case 'not':
      return `NOT (${linkExpressionSql(expr.arg, atom)})`;
    case 'and':
    case 'or':
      return `(${linkExpressionSql(expr.left, atom)}) ${expr.op.toUpperCase()} (${linkExpressionSql(expr.right, atom)})`;
  }
}
