/* Reductions along one dimension on the (outer, n, inner) view (reduce.c), and the squared / infinity
 * norm of the optimizers' gradient clipping. */

__kernel void cs_max_along(long outer, long n, long inner, __global const float* x, long xo,
                           __global float* values, long vo, __global float* indices, long io)
{
    long t = GID0;
    if (t >= outer * inner) return;
    long o = t / inner, i = t % inner;
    __global const float* xs = x + xo + o * n * inner + i;
    float m = xs[0], at = 0.0f;
    for (long j = 1; j < n; j++) {
        float v = xs[j * inner];
        if ((v > m || v != v) && m == m) { m = v; at = (float)j; }
    }
    values[vo + t] = m;
    indices[io + t] = at;
}

/* Partial sums of x² (or maxima of |x|) of CS_NORM_GROUP-sized runs, one work-group each, reduced in
 * local memory; cs_norm_finish adds the partials in order. */
#define CS_NORM_GROUP 256

__kernel __attribute__((reqd_work_group_size(CS_NORM_GROUP, 1, 1)))
void cs_norm_partial(long n, __global const float* x, long xo, int infinity, long perGroup, __global acc_t* partial)
{
    __local acc_t part[CS_NORM_GROUP];
    const long l = get_local_id(0), grp = get_group_id(0);
    const long begin = grp * perGroup, end = min(begin + perGroup, n);
    acc_t acc = 0;
    for (long i = begin + l; i < end; i += CS_NORM_GROUP) {
        float v = x[xo + i];
        if (infinity) { float a = fabs(v); acc = (a > acc || a != a) ? (acc_t)a : acc; }
        else acc += (acc_t)v * (acc_t)v;
    }
    part[l] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = CS_NORM_GROUP / 2; w > 0; w >>= 1) {
        if (l < w) {
            acc_t a = part[l], b = part[l + w];
            part[l] = infinity ? ((b > a || b != b) ? b : a) : a + b;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) partial[grp] = part[0];
}

__kernel void cs_norm_finish(long groups, int infinity, __global acc_t* partial)
{
    if (get_global_id(0) != 0) return;
    acc_t acc = 0;
    for (long i = 0; i < groups; i++) {
        acc_t b = partial[i];
        acc = infinity ? ((b > acc || b != b) ? b : acc) : acc + b;
    }
    partial[0] = acc;
}
