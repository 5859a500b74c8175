// The `test` target is the checklist's registry-enabled pass whatever the shell exports: an
// operator's rollback (`export METADATA_REGISTRY_ENABLED=false`) left in the shell made both passes
// run disabled, both green. `test-registry-disabled` asks for the other pass by name.
process.env['METADATA_REGISTRY_ENABLED'] = process.env['STAGE2_TEST_REGISTRY'] === 'disabled' ? 'false' : 'true';
