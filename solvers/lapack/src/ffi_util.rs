//! Plumbing shared by every exported routine: the scalar trait, reading Fortran-style arguments
//! (everything by pointer), xerbla-style reporting, panic containment, strided faer views over
//! raw pointers, and the LAPACK workspace protocol (`lwork = -1` queries, caller-supplied `work`).

use core::ffi::{c_char, c_int};
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::panic::{catch_unwind, AssertUnwindSafe};

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::{Accum, ColMut, ColRef, MatMut, MatRef};

/// `info` reported when a routine hit an internal failure that LAPACK has no code for (a caught
/// panic inside the implementation). Positive, so callers treat it as a numerical failure, and far
/// outside the range of every documented positive `info`.
pub(crate) const INTERNAL_ERROR_INFO: c_int = c_int::MAX;

/// The two precisions the symbols are exported for (`f64` → `d…_`, `f32` → `s…_`).
pub(crate) trait Real:
    faer::traits::RealField
    + Copy
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
    + core::ops::Div<Output = Self>
    + core::ops::Neg<Output = Self>
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    /// Routine-name prefix in messages (`'D'` or `'S'`).
    const PREFIX: char;
    /// Smallest positive normal number (LAPACK's `sfmin` for the reciprocal-scaling test).
    const SFMIN: Self;

    /// Encodes a workspace size as LAPACK does in `work[0]`: rounded up so that truncating the
    /// float back to an integer never yields less than `n` (LAPACK's `sroundup_lwork`), and capped
    /// so that the value still converts to a 32-bit `int`.
    fn encode_lwork(n: usize) -> Self;
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const PREFIX: char = 'D';
    const SFMIN: Self = f64::MIN_POSITIVE;

    fn encode_lwork(n: usize) -> Self {
        // Every integer up to i32::MAX is exact in f64.
        n.min(c_int::MAX as usize) as f64
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const PREFIX: char = 'S';
    const SFMIN: Self = f32::MIN_POSITIVE;

    fn encode_lwork(n: usize) -> Self {
        // Largest f32 not above i32::MAX (2^31 - 128); f32 has a 24-bit mantissa.
        const CAP: usize = (1 << 31) - (1 << 7);
        let n = n.min(CAP);
        let x = n as f32;
        if (x as f64) < n as f64 {
            // Round up to the next representable value (x is positive and finite here).
            f32::from_bits(x.to_bits() + 1)
        } else {
            x
        }
    }
}

/// `x != x`, without relying on a method that may clash with faer's extension traits.
#[inline]
#[allow(clippy::eq_op)]
pub(crate) fn is_nan<T: Real>(x: T) -> bool {
    x != x
}

/// Absolute value that keeps NaN as NaN.
#[inline]
pub(crate) fn abs<T: Real>(x: T) -> T {
    if x < T::ZERO {
        -x
    } else {
        x
    }
}

// ---------------------------------------------------------------------------------------------
// Argument reading. Every reader returns `Err(arg)` (the 1-based argument index, as xerbla
// reports it) for a null pointer or an illegal value.
// ---------------------------------------------------------------------------------------------

/// Reads a character argument and upper-cases it (LAPACK's `lsame` compares case-insensitively
/// and looks at the first character only).
pub(crate) unsafe fn read_char(p: *const c_char, arg: c_int) -> Result<u8, c_int> {
    if p.is_null() {
        return Err(arg);
    }
    // SAFETY: non-null; the caller passes a pointer to at least one character.
    Ok((unsafe { *p } as u8).to_ascii_uppercase())
}

/// `trans`: `N` → no transpose, `T`/`C` → transpose (real data, so `C` ≡ `T`).
pub(crate) unsafe fn read_trans(p: *const c_char, arg: c_int) -> Result<bool, c_int> {
    match unsafe { read_char(p, arg) }? {
        b'N' => Ok(false),
        b'T' | b'C' => Ok(true),
        _ => Err(arg),
    }
}

/// Which triangle of a symmetric matrix is referenced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Uplo {
    Upper,
    Lower,
}

pub(crate) unsafe fn read_uplo(p: *const c_char, arg: c_int) -> Result<Uplo, c_int> {
    match unsafe { read_char(p, arg) }? {
        b'U' => Ok(Uplo::Upper),
        b'L' => Ok(Uplo::Lower),
        _ => Err(arg),
    }
}

/// Reads an integer argument.
pub(crate) unsafe fn read_int(p: *const c_int, arg: c_int) -> Result<c_int, c_int> {
    if p.is_null() {
        return Err(arg);
    }
    // SAFETY: non-null, points to an int.
    Ok(unsafe { *p })
}

/// Reads a dimension: must be `>= 0`.
pub(crate) unsafe fn read_dim(p: *const c_int, arg: c_int) -> Result<usize, c_int> {
    let v = unsafe { read_int(p, arg) }?;
    usize::try_from(v).map_err(|_| arg)
}

/// Reads a leading dimension: must be `>= max(1, rows)`.
pub(crate) unsafe fn read_ld(p: *const c_int, rows: usize, arg: c_int) -> Result<usize, c_int> {
    let v = unsafe { read_int(p, arg) }?;
    match usize::try_from(v) {
        Ok(ld) if ld >= rows.max(1) => Ok(ld),
        _ => Err(arg),
    }
}

/// Reads a vector increment: must be non-zero.
pub(crate) unsafe fn read_inc(p: *const c_int, arg: c_int) -> Result<isize, c_int> {
    match unsafe { read_int(p, arg) }? {
        0 => Err(arg),
        v => Ok(v as isize),
    }
}

/// Reads a scalar passed by pointer.
pub(crate) unsafe fn read_val<T: Copy>(p: *const T, arg: c_int) -> Result<T, c_int> {
    if p.is_null() {
        return Err(arg);
    }
    // SAFETY: non-null, points to a T.
    Ok(unsafe { *p })
}

/// An array argument that is about to be dereferenced must not be null.
pub(crate) fn nonnull<T>(p: *const T, arg: c_int) -> Result<(), c_int> {
    if p.is_null() {
        Err(arg)
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Error reporting and panic containment.
// ---------------------------------------------------------------------------------------------

/// Prints the reference `xerbla` message. Unlike the reference `xerbla` it does not stop the
/// program; the routine returns without touching its outputs (BLAS) or with `info = -arg`
/// (LAPACK). `eprintln!` (captured by the test harness) inside `catch_unwind`, so a failing
/// stderr can never unwind into the caller.
pub(crate) fn xerbla<T: Real>(name: &str, arg: c_int) {
    let _ = catch_unwind(|| {
        eprintln!(
            " ** On entry to {}{} parameter number {:2} had an illegal value",
            T::PREFIX,
            name,
            arg
        )
    });
}

fn report_internal<T: Real>(name: &str) {
    let _ = catch_unwind(|| {
        eprintln!(
            " ** {}{}: internal error (caught panic); outputs are unspecified",
            T::PREFIX,
            name
        )
    });
}

/// Runs the body of a BLAS routine: `Err(arg)` → xerbla message, panic → message. Never unwinds.
pub(crate) fn blas_call<T: Real>(name: &str, body: impl FnOnce() -> Result<(), c_int>) {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {}
        Ok(Err(arg)) => xerbla::<T>(name, arg),
        Err(_) => report_internal::<T>(name),
    }
}

/// Runs the body of a LAPACK routine and stores its `info`: `Ok(code)` → `info = code`,
/// `Err(arg)` → xerbla message and `info = -arg`, panic → `info = INTERNAL_ERROR_INFO`.
/// Never unwinds.
pub(crate) unsafe fn lapack_call<T: Real>(
    name: &str,
    info: *mut c_int,
    body: impl FnOnce() -> Result<c_int, c_int>,
) {
    let code = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) => code,
        Ok(Err(arg)) => {
            xerbla::<T>(name, arg);
            -arg
        }
        Err(_) => {
            report_internal::<T>(name);
            INTERNAL_ERROR_INFO
        }
    };
    if !info.is_null() {
        // SAFETY: non-null, points to an int the caller owns.
        unsafe { *info = code };
    }
}

// ---------------------------------------------------------------------------------------------
// Views over raw pointers (column-major with a leading dimension; vectors with an increment).
// ---------------------------------------------------------------------------------------------

/// Column-major `nrows × ncols` view with leading dimension `ld`.
///
/// # Safety
/// Unless the view is empty, `p` must point to `ld * (ncols - 1) + nrows` readable elements
/// that nothing writes to during `'a`.
pub(crate) unsafe fn mat_ref<'a, T>(
    p: *const T,
    nrows: usize,
    ncols: usize,
    ld: usize,
) -> MatRef<'a, T> {
    let p = if nrows == 0 || ncols == 0 || p.is_null() {
        NonNull::<T>::dangling().as_ptr() as *const T
    } else {
        p
    };
    // SAFETY: see the function contract; an empty view never dereferences its pointer.
    unsafe { MatRef::from_raw_parts(p, nrows, ncols, 1, ld.max(1) as isize) }
}

/// Mutable column-major view; see [`mat_ref`].
///
/// # Safety
/// As [`mat_ref`], and the elements must not be accessed by other means during `'a`.
pub(crate) unsafe fn mat_mut<'a, T>(
    p: *mut T,
    nrows: usize,
    ncols: usize,
    ld: usize,
) -> MatMut<'a, T> {
    let p = if nrows == 0 || ncols == 0 || p.is_null() {
        NonNull::<T>::dangling().as_ptr()
    } else {
        p
    };
    // SAFETY: see the function contract.
    unsafe { MatMut::from_raw_parts_mut(p, nrows, ncols, 1, ld.max(1) as isize) }
}

/// BLAS vector of length `n` with increment `inc` (reference semantics: for `inc < 0` element
/// `i` is stored at `p[(n - 1 - i) * |inc|]`).
///
/// # Safety
/// Unless `n == 0`, `p` must point to `(n - 1) * |inc| + 1` readable elements.
pub(crate) unsafe fn vec_ref<'a, T>(p: *const T, n: usize, inc: isize) -> ColRef<'a, T> {
    if n == 0 || p.is_null() {
        // SAFETY: empty view.
        return unsafe { ColRef::from_raw_parts(NonNull::<T>::dangling().as_ptr(), 0, 1) };
    }
    let start = if inc < 0 {
        // SAFETY: within the caller's array (see contract).
        unsafe { p.add((n - 1) * inc.unsigned_abs()) }
    } else {
        p
    };
    // SAFETY: see the function contract.
    unsafe { ColRef::from_raw_parts(start, n, inc) }
}

/// Mutable BLAS vector; see [`vec_ref`].
///
/// # Safety
/// As [`vec_ref`], plus exclusive access during `'a`.
pub(crate) unsafe fn vec_mut<'a, T>(p: *mut T, n: usize, inc: isize) -> ColMut<'a, T> {
    if n == 0 || p.is_null() {
        // SAFETY: empty view.
        return unsafe { ColMut::from_raw_parts_mut(NonNull::<T>::dangling().as_ptr(), 0, 1) };
    }
    let start = if inc < 0 {
        // SAFETY: within the caller's array (see contract).
        unsafe { p.add((n - 1) * inc.unsigned_abs()) }
    } else {
        p
    };
    // SAFETY: see the function contract.
    unsafe { ColMut::from_raw_parts_mut(start, n, inc) }
}

// ---------------------------------------------------------------------------------------------
// beta handling shared by the BLAS routines.
// ---------------------------------------------------------------------------------------------

/// `dst ← beta·dst`, where `beta = 0` overwrites with zeros without reading `dst` (so NaN/Inf in
/// `dst` do not propagate, as in the reference BLAS).
pub(crate) fn scale<T: Real>(dst: MatMut<'_, T>, beta: T) {
    let mut dst = dst;
    if beta == T::ZERO {
        dst.fill(T::ZERO);
    } else if beta != T::ONE {
        for j in 0..dst.ncols() {
            for i in 0..dst.nrows() {
                dst[(i, j)] = beta * dst[(i, j)];
            }
        }
    }
}

/// Prepares `dst` for `dst ← alpha·op + beta·dst` with faer's accumulate-or-replace kernels:
/// `beta = 0` → `Replace` (dst not read), `beta = 1` → `Add`, otherwise scale then `Add`.
pub(crate) fn prepare_accum<T: Real>(dst: MatMut<'_, T>, beta: T) -> Accum {
    if beta == T::ZERO {
        Accum::Replace
    } else {
        scale(dst, beta);
        Accum::Add
    }
}

/// `beta`-scales only the `uplo` triangle (diagonal included) of the square `c`.
pub(crate) fn scale_triangle<T: Real>(c: MatMut<'_, T>, uplo: Uplo, beta: T) {
    let mut c = c;
    if beta == T::ONE {
        return;
    }
    let n = c.ncols();
    for j in 0..n {
        let rows = match uplo {
            Uplo::Upper => 0..j + 1,
            Uplo::Lower => j..n,
        };
        for i in rows {
            c[(i, j)] = if beta == T::ZERO {
                T::ZERO
            } else {
                beta * c[(i, j)]
            };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// LAPACK workspace protocol.
// ---------------------------------------------------------------------------------------------

/// Number of `T` elements whose bytes can hold `req` at any alignment of the buffer start.
pub(crate) fn lwork_for<T>(req: StackReq) -> usize {
    req.unaligned_bytes_required()
        .div_ceil(core::mem::size_of::<T>())
}

/// Runs `f` with a faer memory stack for `req`. When the caller's `work` array (`lwork`
/// elements) is large enough it is used as the stack, so a caller that allocated the size
/// returned by a workspace query incurs no allocation here; otherwise (a `lwork` between
/// LAPACK's documented minimum and our optimum) the stack is allocated. Returns `None` when that
/// allocation fails. The contents of `work` are clobbered.
///
/// # Safety
/// `work` must be null or point to `lwork` writable elements not otherwise accessed during `f`.
pub(crate) unsafe fn with_workspace<T, R>(
    req: StackReq,
    work: *mut T,
    lwork: usize,
    f: impl FnOnce(&mut MemStack) -> R,
) -> Option<R> {
    let need = req.unaligned_bytes_required();
    let have = lwork.saturating_mul(core::mem::size_of::<T>());
    if !work.is_null() && need != usize::MAX && have >= need {
        // SAFETY: `work` holds `lwork` elements of T = `have` bytes, exclusively ours for now;
        // every bit pattern is a valid f32/f64, so leaving arbitrary bytes behind is sound.
        let bytes = unsafe { core::slice::from_raw_parts_mut(work as *mut MaybeUninit<u8>, have) };
        Some(f(MemStack::new(bytes)))
    } else {
        let mut buf = MemBuffer::try_new(req).ok()?;
        Some(f(MemStack::new(&mut buf)))
    }
}
