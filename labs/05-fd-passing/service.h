/*
 * service.h - the worker's service: what a worker does with one client.
 *
 * Provided: do not change this file or service.c.
 */
#ifndef SERVICE_H
#define SERVICE_H

int serve_client(int conn, int id);

#endif /* SERVICE_H */
