package dev.keel.store;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the rows of this page
 * @param nextPageToken the token of the next page, {@code ""} on the last one
 * @param totalSize how many rows match in all
 */
public record Page<T>(List<T> items, String nextPageToken, long totalSize) {
  public Page {
    items = List.copyOf(items);
  }
}
