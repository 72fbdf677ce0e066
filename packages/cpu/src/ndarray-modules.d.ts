// Type declarations for the two scijs packages that ship none, covering what the CPU backend uses.
declare module 'ndarray-ops' {
  import type { NdArray } from 'ndarray';
  type Binary = (out: NdArray, a: NdArray, b: NdArray) => void;
  type Unary = (out: NdArray, a: NdArray) => void;
  type InPlace = (out: NdArray, a: NdArray) => void;
  const ops: {
    add: Binary;
    sub: Binary;
    mul: Binary;
    div: Binary;
    max: Binary;
    min: Binary;
    gt: Binary;
    geq: Binary;
    eq: Binary;
    neq: Binary;
    neg: Unary;
    exp: Unary;
    log: Unary;
    sqrt: Unary;
    abs: Unary;
    assign: Unary;
    assigns: (out: NdArray, value: number) => void;
    addeq: InPlace;
    maxeq: InPlace;
    mineq: InPlace;
  };
  export default ops;
}

declare module 'ndarray-gemm' {
  import type { NdArray } from 'ndarray';
  /** c = alpha · a · b + beta · c */
  export default function gemm(c: NdArray, a: NdArray, b: NdArray, alpha?: number, beta?: number): void;
}
