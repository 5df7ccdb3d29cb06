-- The interleaved baseline and the other runtimes of a result get their own fields in the result
-- environment (ResultEnvironment.interleaved / runtimes / runtimesSkipped / runtimeLabel) instead of
-- riding in environment.extra. Moves what earlier agents stored, and nothing else.
UPDATE "Result" SET environment = (environment #- '{extra,interleaved}') || jsonb_build_object('interleaved', environment #> '{extra,interleaved}')
  WHERE environment #> '{extra,interleaved}' IS NOT NULL AND NOT environment ? 'interleaved';
UPDATE "Result" SET environment = (environment #- '{extra,runtimes}') || jsonb_build_object('runtimes', environment #> '{extra,runtimes}')
  WHERE jsonb_typeof(environment #> '{extra,runtimes}') = 'array' AND NOT environment ? 'runtimes';
UPDATE "Result" SET environment = (environment #- '{extra,runtimesSkipped}') || jsonb_build_object('runtimesSkipped', environment #> '{extra,runtimesSkipped}')
  WHERE jsonb_typeof(environment #> '{extra,runtimesSkipped}') = 'array' AND NOT environment ? 'runtimesSkipped';
UPDATE "Result" SET environment = (environment #- '{extra,runtimeLabel}') || jsonb_build_object('runtimeLabel', environment #> '{extra,runtimeLabel}')
  WHERE jsonb_typeof(environment #> '{extra,runtimeLabel}') = 'string' AND NOT environment ? 'runtimeLabel';

-- Job.modelVersion: a run's variant jobs measure versions that are neither its candidate nor its baseline
ALTER TABLE "Job" ADD CONSTRAINT "Job_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
