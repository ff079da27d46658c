package org.dlc4j.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dlc4j.Dlc;
import org.dlc4j.util.Listener;
import org.dlc4j.util.StoppedException;

/**
 * The bounded work queue: {@code workers} threads, each with its own {@link Dlc} (an instance serves one call at a
 * time), and room for {@code queue} waiting requests (0: none wait); a request beyond that is refused at once (the server answers
 * 503 with Retry-After) instead of waiting without bound.
 */
final class Workers implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final ThreadLocal<Dlc> dlc;
    private final List<Dlc> opened = new CopyOnWriteArrayList<>();

    Workers(Path models, int workers, int queue) {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "dlc-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        dlc = ThreadLocal.withInitial(() -> {
            Dlc d = Dlc.open(models);
            opened.add(d);
            return d;
        });
    }

    /** Runs {@code work} on a worker with {@code listener} in force, unless the queue is full (then 503). */
    <T> CompletableFuture<T> submit(Function<Dlc, T> work, Listener listener) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try (var scope = Listener.using(listener)) {
                    if (listener.stopRequested()) {
                        throw new StoppedException("the request"); // its time ran out while it waited
                    }
                    result.complete(work.apply(dlc.get()));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new ApiError(503, null, "the server is busy (" + pool.getActiveCount() + " running, " + pool.getQueue().size()
                    + " waiting): try again shortly", 2);
        }
        return result;
    }

    /** Requests running or waiting. */
    int load() {
        return pool.getActiveCount() + pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Dlc d : opened) {
            d.close();
        }
    }
}
