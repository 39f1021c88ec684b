//! Clearing the upper halves of the AVX registers after a faer matrix product.
//!
//! On x86-64 the kernels faer 0.24 dispatches to for some shapes (seen with a short inner
//! dimension, e.g. the `n × d · d × n` distance product, and the triangular product) return
//! with the upper halves of the vector registers still in use. Every later *legacy-SSE*
//! instruction on that thread (all scalar f64 code of a baseline x86-64 build, glibc's `exp`
//! included) then pays Intel's SSE/AVX transition penalty. Measured on this project's build
//! machine (Xeon, AVX-512): 2·10⁶ `exp` calls took 19 ms before and 420 ms after such a
//! product on the same thread, 18 ms again after `vzeroupper`. Code that runs scalar math after a
//! faer product (quadra-stattest's Gram and bootstrap draws, GAMP-RIE's denoiser) calls
//! [`after_vector_product`], which executes `vzeroupper` on the calling
//! thread and on every thread of the current rayon pool.

/// Executes `vzeroupper` on this thread and on every thread of the current rayon pool
/// (a no-op where AVX is absent or on other architectures).
pub fn after_vector_product() {
    clear_upper_vector_state();
    rayon::broadcast(|_| clear_upper_vector_state());
}

#[cfg(target_arch = "x86_64")]
fn clear_upper_vector_state() {
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: AVX is available (checked just above), which is the only requirement of
        // `vzeroupper`; it changes no register that holds a live value between two Rust
        // statements (the ABI treats the upper halves as clobbered across calls).
        unsafe { zero_upper_avx() }
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn clear_upper_vector_state() {}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn zero_upper_avx() {
    std::arch::x86_64::_mm256_zeroupper();
}
