/**
 * The runtime SPI ({@link dev.keel.runtime.WorkloadRuntime}, {@link dev.keel.runtime.WorkloadSpec},
 * {@link dev.keel.runtime.Workload}) every Keel component launches work through, and {@link
 * dev.keel.runtime.LocalRuntime}, which runs workloads as processes on this machine: argv only,
 * logs with a size cap, the whole process tree killed on cancel or timeout, and admission by
 * parallelism, CPU and memory. Container images map to local programs through the {@link
 * dev.keel.runtime.ImageMap}.
 */
package dev.keel.runtime;
