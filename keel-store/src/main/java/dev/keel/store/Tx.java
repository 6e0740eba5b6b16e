package dev.keel.store;

/** The repositories inside one transaction (see {@link Store#inTransaction}). */
public interface Tx {
  Repositories.Pipelines pipelines();

  Repositories.PipelineVersions versions();

  Repositories.Experiments experiments();

  Repositories.Runs runs();

  Repositories.Tasks tasks();

  Repositories.Artifacts artifacts();

  Repositories.Events events();

  Repositories.Secrets secrets();
}
