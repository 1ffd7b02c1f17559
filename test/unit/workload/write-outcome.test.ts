import { expect } from 'chai';
import { classifyWriteError, describePgError, isSessionError } from '../../../lib/workload/write-outcome.js';

/** Shaped like pg's DatabaseError (severity, code), as the server sends them. */
function serverError(code: string, severity = 'ERROR', message = 'boom'): Error {
  return Object.assign(new Error(message), { code, severity });
}

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('write outcome classification', () => {
  it('calls anything that failed before the INSERT was sent failed', () => {
    expect(
      classifyWriteError(socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), false),
    ).to.equal('failed');
    expect(classifyWriteError(new Error('timeout expired'), false)).to.equal('failed');
    expect(
      classifyWriteError(serverError('57P03', 'FATAL', 'the database system is starting up'), false),
    ).to.equal('failed');
    expect(
      classifyWriteError(new Error('Client has encountered a connection error and is not queryable'), true),
    ).to.equal('failed');
  });

  it('calls a statement ERROR failed: the transaction was rolled back', () => {
    for (const code of ['25006', '23505', '57014', '40001', '40P01', '53100', '42P01']) {
      expect(classifyWriteError(serverError(code), true), code).to.equal('failed');
    }
  });

  it('calls a lost answer unknown: the write may have committed', () => {
    expect(classifyWriteError(new Error('Query read timeout'), true)).to.equal('unknown');
    expect(classifyWriteError(new Error('Connection terminated unexpectedly'), true)).to.equal('unknown');
    expect(classifyWriteError(socketError('ECONNRESET', 'read ECONNRESET'), true)).to.equal('unknown');
    expect(classifyWriteError(socketError('EPIPE', 'write EPIPE'), true)).to.equal('unknown');
  });

  it('calls session-ending server errors after sending unknown, even with a localized severity', () => {
    expect(
      classifyWriteError(
        serverError('57P01', 'FATAL', 'terminating connection due to administrator command'),
        true,
      ),
    ).to.equal('unknown');
    expect(classifyWriteError(serverError('57P01', 'FATAL'.toLowerCase()), true)).to.equal('unknown');
    expect(classifyWriteError(serverError('57P02', 'FATAL'), true)).to.equal('unknown');
    expect(classifyWriteError(serverError('08006', 'FEHLER'), true)).to.equal('unknown');
    expect(classifyWriteError(serverError('XX000', 'PANIC'), true)).to.equal('unknown');
    expect(classifyWriteError(serverError('53100', 'PANIC'), true)).to.equal('unknown');
  });

  it('describes errors with their SQLSTATE and without anything else from the connection', () => {
    expect(
      describePgError(serverError('25006', 'ERROR', 'cannot execute INSERT in a read-only transaction')),
    ).to.equal('ERROR 25006: cannot execute INSERT in a read-only transaction');
    expect(describePgError(new Error('x'.repeat(500)))).to.have.length(200);
  });

  it('retries reads only on session-level errors', () => {
    expect(isSessionError(socketError('ECONNREFUSED', 'refused'))).to.equal(true);
    expect(isSessionError(serverError('57P01', 'FATAL'))).to.equal(true);
    expect(isSessionError(serverError('42P01'))).to.equal(false);
  });
});
